package io.zbpp.checkpoint;

import io.zbpp.protocol.checkpoint.ShardEntry;
import io.zbpp.protocol.msg.ChunkState;
import io.zbpp.protocol.serialization.ShardCodec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;

/** A stage's side of checkpoints: writing its shard (with the injected faults) and reading it back. */
public final class CheckpointShards {
  private CheckpointShards() {}

  /**
   * Writes {@code stage}'s shard of checkpoint {@code iteration} into the store at {@code dir}. {@code inject}:
   * {@code fail-checkpoint-write} fails the write; {@code corrupt-checkpoint} writes it, then flips one byte on
   * disk (the manifest keeps the true SHA-256, so a load finds it corrupt).
   *
   * @return the shard's entry for the manifest, with its chunks
   */
  public static ShardEntry write(String dir, int stage, int iteration, List<ChunkState> chunks, String inject)
      throws IOException {
    if (inject.equals(CheckpointFault.Kind.FAIL_WRITE.label())) {
      throw new IOException("injected fail-checkpoint-write:" + stage + "@" + iteration);
    }
    byte[] bytes = ShardCodec.encode(new ShardCodec.Shard(stage, iteration, chunks));
    ShardEntry e = new DirectoryCheckpointStore(Path.of(dir), DirectoryCheckpointStore.DEFAULT_KEEP)
        .writeShard(iteration, stage, bytes);
    if (inject.equals(CheckpointFault.Kind.CORRUPT.label())) {
      flipByte(Path.of(dir, CheckpointStore.name(iteration), e.getFile()), bytes.length / 2);
    }
    return e.toBuilder().addAllChunks(chunks.stream().map(ChunkState::chunk).toList()).build();
  }

  private static void flipByte(Path file, long at) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x5a);
    }
  }

  /**
   * Reads {@code stage}'s shard of checkpoint {@code iteration}, checking its size and SHA-256, and that it is that
   * stage's shard of that checkpoint holding {@code chunks}.
   *
   * @throws IOException one line naming the shard and what is wrong
   */
  public static List<ChunkState> read(String dir, int iteration, ShardEntry entry, int stage, List<Integer> chunks)
      throws IOException {
    byte[] bytes = new DirectoryCheckpointStore(Path.of(dir), DirectoryCheckpointStore.DEFAULT_KEEP)
        .readShard(iteration, entry);
    String where = CheckpointStore.name(iteration) + "/" + entry.getFile();
    ShardCodec.Shard s;
    try {
      s = ShardCodec.decode(bytes);
    } catch (IllegalArgumentException e) {
      throw new IOException(where + ": " + e.getMessage(), e);
    }
    List<Integer> held = s.chunks().stream().map(ChunkState::chunk).toList();
    if (s.stage() != stage || s.iteration() != iteration || !held.equals(chunks)) {
      throw new IOException(where + ": holds stage " + s.stage() + " iteration " + s.iteration() + " chunks " + held
          + "; expected stage " + stage + " iteration " + iteration + " chunks " + chunks);
    }
    return s.chunks();
  }
}
