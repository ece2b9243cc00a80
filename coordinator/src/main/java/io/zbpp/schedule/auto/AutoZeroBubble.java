package io.zbpp.schedule.auto;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Scheduler;
import io.zbpp.schedule.Shape;

/**
 * The registered automatic zero-bubble schedulers (docs/design.md §2, §4): {@code zb-1p} plans under p·ΔM(F) of
 * stage 0 (1F1B's peak), {@code zb-2p} under 2p·ΔM(F) of stage 0, both ignoring the cost model's own limit;
 * {@code zb-auto} plans under the cost model's limit ({@code +∞}: unlimited, see {@link AutoScheduler}).
 * The plan validates against the cost model with the limit it was planned under ({@link #limit}).
 */
public final class AutoZeroBubble implements Scheduler {
  private final String name;
  private final int factor;

  private AutoZeroBubble(String name, int factor) {
    this.name = name;
    this.factor = factor;
  }

  /** ZB-1p: memory limit p·ΔM(F). */
  public static AutoZeroBubble oneP() {
    return new AutoZeroBubble("zb-1p", 1);
  }

  /** ZB-2p: memory limit 2p·ΔM(F). */
  public static AutoZeroBubble twoP() {
    return new AutoZeroBubble("zb-2p", 2);
  }

  /** zb-auto: the cost model's own memory limit. */
  public static AutoZeroBubble auto() {
    return new AutoZeroBubble(AutoScheduler.NAME, 0);
  }

  @Override
  public String name() {
    return name;
  }

  /** The memory limit this scheduler plans under for that cost model. */
  public double limit(CostModel costs) {
    return factor == 0 ? costs.memLimit() : factor * costs.stages() * costs.memF(0);
  }

  /** The cost model this scheduler plans under: {@code costs} with {@link #limit} as its memory limit. */
  public CostModel limited(CostModel costs) {
    return factor == 0 ? costs : costs.withMemLimit(limit(costs));
  }

  @Override
  public Plan plan(Shape shape, CostModel costs) {
    return search(shape, costs).plan();
  }

  /** The plan with the choices that produced it and its timeline under {@link #limited}. */
  public AutoResult search(Shape shape, CostModel costs) {
    return AutoScheduler.search(name, shape, limited(costs));
  }
}
