package io.zbpp.protocol.msg;

import java.util.Objects;

/**
 * Coordinator → stage, sent with the {@link RunIteration} of iteration {@code iteration − 1} (docs/faults.md
 * "Checkpoints"): once this stage's optimizer step of that iteration is final (validated, with post-validation),
 * copy the state of every chunk held in memory between two ops, write it in the background as shard
 * {@code stage-S.bin} of checkpoint {@code iteration} in the directory {@code dir}, and answer
 * {@link ShardWritten}. {@code inject}: "" or a checkpoint fault for this shard (fail-checkpoint-write,
 * corrupt-checkpoint).
 */
public record TakeCheckpoint(JobEpoch job, int iteration, String dir, String inject)
    implements StageCommand, WireMessage {
  public TakeCheckpoint {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(inject, "inject");
  }
}
