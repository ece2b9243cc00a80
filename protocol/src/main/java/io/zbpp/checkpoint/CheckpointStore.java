package io.zbpp.checkpoint;

import io.zbpp.protocol.checkpoint.Manifest;
import io.zbpp.protocol.checkpoint.ShardEntry;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where checkpoints live (docs/faults.md "Checkpoints"). Stages write their own shards, the coordinator writes
 * the manifest last: a checkpoint exists once its manifest does. Every write is atomic; every load verifies the
 * SHA-256 of every shard. {@link DirectoryCheckpointStore} keeps them in a directory (on Kubernetes a shared
 * volume).
 */
public interface CheckpointStore {
  /** A checkpoint as {@link #list} shows it: complete (a manifest that parses) or not, with what is wrong. */
  record Entry(int iteration, String name, boolean complete, long bytes, Optional<Manifest> manifest,
      String problem) {}

  /**
   * Writes {@code stage}'s shard of checkpoint {@code iteration} atomically.
   *
   * @return the shard as the manifest will list it (file, SHA-256, size; no chunks)
   */
  ShardEntry writeShard(int iteration, int stage, byte[] bytes) throws IOException;

  /** Writes the manifest (after every shard it lists), then keeps only the newest {@link #keep()} checkpoints. */
  void commit(Manifest manifest) throws IOException;

  /** Removes what exists of checkpoint {@code iteration} (one whose write failed). */
  void discard(int iteration) throws IOException;

  /** Every checkpoint directory, oldest first. */
  List<Entry> list() throws IOException;

  /**
   * Checks checkpoint {@code iteration}: its manifest parses and every shard has the size and SHA-256 the
   * manifest gives.
   *
   * @return empty when valid, else one line naming what is wrong (the bad shard)
   */
  Optional<String> verify(int iteration) throws IOException;

  /**
   * The newest complete, valid checkpoint; an invalid newer one is skipped with a line to {@code warn}.
   *
   * @return empty when there is none
   */
  Optional<Manifest> latest(Consumer<String> warn) throws IOException;

  /**
   * Reads a shard of checkpoint {@code iteration}, checking it against the manifest's entry.
   *
   * @throws IOException naming the shard when it is missing, of another size, or its SHA-256 differs
   */
  byte[] readShard(int iteration, ShardEntry entry) throws IOException;

  /** How many complete checkpoints are kept. */
  int keep();

  /** Where the store is, for messages. */
  String location();

  /** The directory name of checkpoint {@code iteration}: ckpt-000010. */
  static String name(int iteration) {
    return String.format("ckpt-%06d", iteration);
  }
}
