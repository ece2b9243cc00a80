package io.zbpp.protocol.msg;

import java.util.List;

/**
 * One iteration as the coordinator saw it: the mean microbatch loss, the wall time from RunIteration to the
 * last report, the realized bubble rate measured from the pass times, and every stage's trace.
 */
public record IterationResult(int iteration, double loss, long wallNanos, double realizedBubbleRate,
    List<StageTrace> stages) {
  public IterationResult {
    stages = List.copyOf(stages);
  }
}
