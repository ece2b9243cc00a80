package io.zbpp.protocol.msg;

import java.util.List;

/**
 * Stage → coordinator at the end of an iteration: the compute passes it ran with their times, the losses it
 * read (only the stage holding the last chunk has any), the peak bytes its chunks held, and what became of the
 * optimizer step it settled: {@code settledIteration} is this iteration, or under post-validation the previous
 * one (its step is validated during this iteration; -1 for none), {@code settledRollbacks} its chunk steps this
 * stage rolled back and {@code settledSkipped} whether it was skipped for non-finite gradients.
 */
public record IterationReport(JobEpoch job, int stage, int iteration, List<PassRecord> passes,
    List<LossRecord> losses, long peakBytes, int settledIteration, int settledRollbacks, boolean settledSkipped)
    implements CoordinatorCommand, WireMessage {
  public IterationReport {
    passes = List.copyOf(passes);
    losses = List.copyOf(losses);
  }

  /** A report that settles its own iteration's step without a rollback or a skip (no optimizer check). */
  public IterationReport(JobEpoch job, int stage, int iteration, List<PassRecord> passes, List<LossRecord> losses,
      long peakBytes) {
    this(job, stage, iteration, passes, losses, peakBytes, iteration, 0, false);
  }
}
