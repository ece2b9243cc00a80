package io.zbpp.gpu.model;

import io.zbpp.gpu.device.Device;
import java.util.List;

/**
 * A GPT and its partition into V chunks by layers (docs/design.md §7: the embedding rides on the first chunk, the
 * final norm, head and loss on the last; the partition may be uneven). Building chunk c on a device gives the
 * same parameters whatever V is, since each layer is initialised from (seed, global layer index) only.
 */
public record GptModel(GptConfig config, Partition partition) {
  public GptModel {
    partition.checkFits(config.layers(), partition.chunks());
  }

  /** {@code chunks} chunks as even as possible. */
  public static GptModel even(GptConfig config, int chunks) {
    return new GptModel(config, Partition.even(config.layers(), chunks));
  }

  /** An uneven split: blocks per chunk, summing to the model's layers. */
  public static GptModel uneven(GptConfig config, List<Integer> blocksPerChunk) {
    return new GptModel(config, new Partition(blocksPerChunk));
  }

  public int chunks() {
    return partition.chunks();
  }

  /** Builds chunk {@code chunk} on {@code d} (parameters, gradients and AdamW moments allocated there). */
  public GptChunk chunk(Device d, int chunk, long seed) {
    if (chunk < 0 || chunk >= chunks()) {
      throw new IllegalArgumentException("chunk [" + chunk + "]: must be in 0…" + (chunks() - 1));
    }
    return new GptChunk(d, config, partition, chunk, seed);
  }

  /** Parameters (elements) of chunk c: its blocks, plus the embeddings on the first and norm + head on the last. */
  public long chunkParams(int chunk) {
    long c = config.hidden();
    long n = partition.blocks().get(chunk) * config.blockParams();
    if (chunk == 0) {
      n += (config.vocab() + (long) config.seqLen()) * c;
    }
    if (chunk == chunks() - 1) {
      n += 2 * c + config.vocab() * c;
    }
    return n;
  }
}
