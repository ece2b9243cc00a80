package io.zbpp.gpu.pipeline;

import io.zbpp.gpu.data.Corpus;
import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.model.Partition;
import io.zbpp.gpu.optim.AdamWConfig;
import java.time.Duration;
import java.util.List;

/**
 * Everything needed to build the {@link ChunkRunner} of any chunk of a model: the same spec on every stage
 * gives chunks that fit together, and (on the CPU backend) train bit-identically to {@link ReferenceTrainer}.
 *
 * @param model the GPT shape
 * @param backend cpu, cuda or emulated
 * @param seed parameters and data derive from it (parameters per global layer index)
 * @param microbatches m per iteration (the loss is scaled by 1/m)
 * @param microbatchSize b rows of T tokens per microbatch
 * @param partition blocks per chunk; its size is the number of chunks V
 * @param optimizer AdamW hyper-parameters
 * @param emulated the costs the emulated backend pretends (ignored by the others)
 * @param dataSeed the data order derives from it ({@link #of} sets it to {@code seed})
 */
public record RunnerSpec(GptConfig model, Backend backend, long seed, int microbatches, int microbatchSize,
    Partition partition, AdamWConfig optimizer, EmulatedCosts emulated, long dataSeed) {
  public RunnerSpec {
    if (microbatches < 1) {
      throw new IllegalArgumentException("microbatches [" + microbatches + "]: must be at least 1");
    }
    if (microbatchSize < 1) {
      throw new IllegalArgumentException("microbatchSize [" + microbatchSize + "]: must be at least 1");
    }
    if (model.vocab() < Corpus.VOCAB) {
      throw new IllegalArgumentException(
          "vocab [" + model.vocab() + "]: must be at least " + Corpus.VOCAB + " for the byte-level corpus");
    }
    partition.checkFits(model.layers(), partition.chunks());
    if (emulated.chunks() != partition.chunks()) {
      throw new IllegalArgumentException("emulated costs for " + emulated.chunks() + " chunks: the partition has "
          + partition.chunks());
    }
  }

  /**
   * A spec from a preset name, split evenly into {@code chunks} chunks, with the preset's default optimizer
   * and 1 ms per emulated pass with the paper's memory per layer.
   */
  public static RunnerSpec of(
      String preset, Backend backend, long seed, int microbatches, int microbatchSize, int chunks) {
    GptConfig c = GptConfig.preset(preset);
    Partition p = Partition.even(c.layers(), chunks);
    return new RunnerSpec(c, backend, seed, microbatches, microbatchSize, p, defaultOptimizer(c),
        defaultEmulated(c, p, microbatchSize), seed);
  }

  /**
   * A spec of any shape and partition, with the given optimizer, 1 ms per emulated pass and the paper's memory
   * per layer.
   */
  public static RunnerSpec of(GptConfig c, Backend backend, long seed, long dataSeed, int microbatches,
      int microbatchSize, Partition p, AdamWConfig optimizer) {
    return new RunnerSpec(c, backend, seed, microbatches, microbatchSize, p, optimizer,
        defaultEmulated(c, p, microbatchSize), dataSeed);
  }

  /** The optimizer {@link #of(String, Backend, long, int, int, int)} gives a model of this shape. */
  public static AdamWConfig defaultOptimizerOf(GptConfig c) {
    return defaultOptimizer(c);
  }

  /** The same spec with an uneven partition (blocks per chunk, summing to the model's layers). */
  public RunnerSpec withPartition(List<Integer> blocksPerChunk) {
    Partition p = new Partition(blocksPerChunk).checkFits(model.layers(), blocksPerChunk.size());
    EmulatedCosts e = emulated.chunks() == p.chunks() ? emulated : defaultEmulated(model, p, microbatchSize);
    return new RunnerSpec(model, backend, seed, microbatches, microbatchSize, p, optimizer, e, dataSeed);
  }

  public RunnerSpec withOptimizer(AdamWConfig o) {
    return new RunnerSpec(model, backend, seed, microbatches, microbatchSize, partition, o, emulated, dataSeed);
  }

  public RunnerSpec withEmulated(EmulatedCosts e) {
    return new RunnerSpec(model, backend, seed, microbatches, microbatchSize, partition, optimizer, e, dataSeed);
  }

  public RunnerSpec withBackend(Backend b) {
    return new RunnerSpec(model, b, seed, microbatches, microbatchSize, partition, optimizer, emulated, dataSeed);
  }

  /** V. */
  public int chunks() {
    return partition.chunks();
  }

  /**
   * lr by width: 3e-3 up to 32 (tiny learns in a dozen steps), 1e-3 up to 128 (small: 3e-3 stalled it at the
   * unigram loss ≈3.0 for a minute, 1e-3 reached 2.2 in 60 steps), 1e-4 above (the paper's shapes).
   */
  static AdamWConfig defaultOptimizer(GptConfig c) {
    return AdamWConfig.of(c.hidden() <= 32 ? 3e-3f : c.hidden() <= 128 ? 1e-3f : 1e-4f);
  }

  static EmulatedCosts defaultEmulated(GptConfig c, Partition p, int b) {
    Duration ms = Duration.ofMillis(1);
    List<Long> act = p.blocks().stream().map(n -> n * c.paperActivationBytes(b)).toList();
    List<Long> stash = p.blocks().stream().map(n -> n * c.paperWStashBytes(b)).toList();
    int v = p.chunks();
    return new EmulatedCosts(java.util.Collections.nCopies(v, ms), java.util.Collections.nCopies(v, ms),
        java.util.Collections.nCopies(v, ms), act, stash);
  }
}
