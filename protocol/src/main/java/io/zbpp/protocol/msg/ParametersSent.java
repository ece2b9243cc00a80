package io.zbpp.protocol.msg;

/**
 * Stage → coordinator after answering {@link FetchParameters}: how many frames it sent, and what its optimizer
 * check did over the job.
 */
public record ParametersSent(JobEpoch job, int stage, int frames, OptimizerStats optimizer)
    implements CoordinatorCommand, WireMessage {
  public ParametersSent(JobEpoch job, int stage, int frames) {
    this(job, stage, frames, OptimizerStats.none());
  }
}
