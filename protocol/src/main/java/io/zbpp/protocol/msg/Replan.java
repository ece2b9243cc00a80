package io.zbpp.protocol.msg;

/**
 * One swap of a job's stage programs by re-planning (docs/replan.md).
 *
 * @param iteration the first iteration that ran the new plan
 * @param oldPredictedMs the running plan's iteration time (the simulator's makespan) under the measured costs
 * @param newPredictedMs the new plan's, under the same costs
 * @param reason why: which measured costs differed from what the running plan was made for
 */
public record Replan(int iteration, double oldPredictedMs, double newPredictedMs, String reason) {
  /** The predicted gain, a fraction of the old time. */
  public double gain() {
    return oldPredictedMs > 0 ? 1 - newPredictedMs / oldPredictedMs : 0;
  }
}
