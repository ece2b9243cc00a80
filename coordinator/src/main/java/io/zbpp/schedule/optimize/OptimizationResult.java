package io.zbpp.schedule.optimize;

import io.zbpp.schedule.Plan;

/**
 * What the optimizer returns: the best plan found (never worse than the warm start, validated), its simulated
 * cost, a proven lower bound on the cost of every valid plan, and whether the two meet.
 *
 * @param plan the best plan found; passes the {@link io.zbpp.schedule.Validator}
 * @param cost its simulated cost (largest stage span), as the {@link io.zbpp.schedule.Simulator} computes it
 * @param lowerBound no valid plan costs less (already reduced by {@code roundingError})
 * @param optimal whether {@code cost} equals {@code lowerBound} (within 10⁻⁹ relative floating-point noise)
 * @param gap (cost − lowerBound) / cost, 0 when optimal
 * @param warmStartCost the simulated cost of the warm start it began from
 * @param solveMillis wall time of the whole call
 * @param status how the search ended
 * @param resolution the time one model unit stands for (see {@link TimeScale})
 * @param roundingError bound on what rounding to the resolution can change in any cost; 0 when exact
 */
public record OptimizationResult(Plan plan, double cost, double lowerBound, boolean optimal, double gap,
    double warmStartCost, long solveMillis, Status status, double resolution, double roundingError) {

  /** How the search ended. */
  public enum Status {
    /** The plan's cost equals the proven lower bound. */
    OPTIMAL,
    /** Better than the warm start; not proven optimal within the time limit. */
    IMPROVED,
    /** Nothing better than the warm start found; it is returned unchanged. */
    NOT_IMPROVED
  }
}
