package io.zbpp.protocol.msg;

import java.util.List;

/**
 * One iteration as the coordinator saw it: the mean microbatch loss, the wall time from RunIteration to the
 * last report, the realized bubble rate measured from the pass times, every stage's trace, and what the
 * optimizer check did to its step: the eager chunk steps post-validation rolled back (over all stages) and
 * whether the step was skipped for non-finite gradients.
 */
public record IterationResult(int iteration, double loss, long wallNanos, double realizedBubbleRate,
    List<StageTrace> stages, int rollbacks, boolean skipped) {
  public IterationResult {
    stages = List.copyOf(stages);
  }

  /** An iteration whose step is not settled yet, or was neither rolled back nor skipped. */
  public IterationResult(int iteration, double loss, long wallNanos, double realizedBubbleRate,
      List<StageTrace> stages) {
    this(iteration, loss, wallNanos, realizedBubbleRate, stages, 0, false);
  }

  /** This iteration with what the optimizer check did to its step. */
  public IterationResult settled(int rollbacks, boolean skipped) {
    return new IterationResult(iteration, loss, wallNanos, realizedBubbleRate, stages, rollbacks, skipped);
  }
}
