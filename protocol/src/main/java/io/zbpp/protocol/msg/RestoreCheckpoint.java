package io.zbpp.protocol.msg;

import java.util.Objects;

/**
 * Coordinator → stage, after {@link LoadProgram} and before the first {@link RunIteration} of a resumed job: read
 * shard {@code file} of checkpoint {@code iteration} in {@code dir}, check its size and SHA-256, restore every
 * chunk held from it, and continue at iteration {@code iteration}; answer {@link StageRestored}, or
 * {@link StageFailed} naming the shard.
 */
public record RestoreCheckpoint(JobEpoch job, String dir, int iteration, String file, String sha256, long bytes)
    implements StageCommand, WireMessage {
  public RestoreCheckpoint {
    Objects.requireNonNull(job, "job");
  }
}
