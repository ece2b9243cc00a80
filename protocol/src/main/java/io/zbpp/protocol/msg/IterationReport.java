package io.zbpp.protocol.msg;

import java.util.List;

/**
 * Stage → coordinator at the end of an iteration: the compute passes it ran with their times, the losses it
 * read (only the stage holding the last chunk has any), and the peak bytes its chunks held.
 */
public record IterationReport(JobEpoch job, int stage, int iteration, List<PassRecord> passes,
    List<LossRecord> losses, long peakBytes) implements CoordinatorCommand, WireMessage {
  public IterationReport {
    passes = List.copyOf(passes);
    losses = List.copyOf(losses);
  }
}
