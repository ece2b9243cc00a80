package io.zbpp.protocol.msg;

/**
 * What the optimizer check did over a job, per stage or summed over stages.
 *
 * @param rollbacks eager chunk steps undone because the validation rejected them
 * @param skippedSteps iterations skipped for non-finite gradients (the same on every stage)
 * @param clippedSteps iterations whose gradients were clipped (the same on every stage)
 * @param rollbackBytes the largest memory one stage kept for an exact rollback (0 in place)
 * @param rollbackMode {@code exact}, {@code in-place}, or {@code none} when no step was eager
 */
public record OptimizerStats(int rollbacks, int skippedSteps, int clippedSteps, long rollbackBytes,
    String rollbackMode) {
  public static OptimizerStats none() {
    return new OptimizerStats(0, 0, 0, 0, "none");
  }

  /** Sums rollbacks, keeps the largest bytes and counts (every stage sees the same skips and clips). */
  public OptimizerStats plus(OptimizerStats o) {
    return new OptimizerStats(rollbacks + o.rollbacks, Math.max(skippedSteps, o.skippedSteps),
        Math.max(clippedSteps, o.clippedSteps), Math.max(rollbackBytes, o.rollbackBytes),
        rollbackMode.equals("none") ? o.rollbackMode : rollbackMode);
  }
}
