package io.zbpp.cli;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Scheduler;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Validator;
import io.zbpp.schedule.Validator.Validation;
import java.util.OptionalDouble;

/**
 * One planning run as the CLI performs it: the schedule's plan for a shape and cost model, the wall-clock time
 * of {@link Scheduler#plan}, and its validation against the cost model under the effective memory limit.
 *
 * <p>The effective limit is the user's, except that ZB-1p and ZB-2p impose their own K·p·ΔM(F) of stage 0
 * (see {@link ScheduleRules#limitFactor}); with both, the smaller one holds. The scheduler is given the cost
 * model with the effective limit, and the plan is validated against the same model.
 *
 * @param costs the cost model with the effective memory limit
 * @param planMillis wall-clock milliseconds of {@code plan()} (a report, not a benchmark)
 */
public record PlanRun(String schedule, Shape shape, CostModel costs, Plan plan, Validation validation,
    double planMillis) {

  /**
   * Plans and validates.
   *
   * @throws UsageException when the schedule is unknown, v does not suit it, or the scheduler rejects the
   *     shape or cost model (its message, prefixed with what was asked)
   */
  public static PlanRun run(String schedule, Shape shape, CostModel costs) {
    Scheduler scheduler;
    try {
      scheduler = Schedules.byName(schedule);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    ScheduleRules.checkChunks(schedule, shape.chunksPerStage());
    checkSize(shape);
    CostModel effective = costs.withMemLimit(effectiveLimit(schedule, costs));
    long t0 = System.nanoTime();
    Plan plan;
    try {
      plan = scheduler.plan(shape, effective);
    } catch (IllegalArgumentException e) {
      throw new UsageException(schedule + " cannot plan p=" + shape.stages() + " m=" + shape.microbatches()
          + " v=" + shape.chunksPerStage() + ": "
          + io.zbpp.runtime.JobSpecFlags.message(e.getMessage().lines().findFirst().orElse("")));
    }
    double millis = (System.nanoTime() - t0) / 1e6;
    return new PlanRun(schedule, shape, effective, plan, Validator.validate(plan, effective), millis);
  }

  /** The most passes a plan may have: far beyond the paper's largest (p=32, m=256: 24,576), well within heap. */
  static final long MAX_PASSES = 10_000_000;

  /**
   * Rejects a shape whose plan could not be held in memory, before planning it, naming {@code --chunks} when the
   * shape fits with one chunk per stage (it is then the culprit).
   */
  static void checkSize(Shape shape) {
    long perChunk = 3L * shape.stages() * shape.microbatches();
    long passes = perChunk * shape.chunksPerStage();
    if (passes <= MAX_PASSES) {
      return;
    }
    if (perChunk <= MAX_PASSES) {
      throw new UsageException("--chunks [" + shape.chunksPerStage() + "]: " + passes + " passes for p="
          + shape.stages() + " m=" + shape.microbatches() + "; at most " + MAX_PASSES + " fit a plan (expected "
          + "--chunks <= " + MAX_PASSES / perChunk + ")");
    }
    throw new UsageException("--stages [" + shape.stages() + "] x --microbatches [" + shape.microbatches()
        + "]: " + passes + " passes; at most " + MAX_PASSES + " fit a plan");
  }

  /** The user's limit, or the smaller of it and the one the schedule imposes. */
  public static double effectiveLimit(String schedule, CostModel costs) {
    OptionalDouble k = ScheduleRules.limitFactor(schedule);
    if (k.isEmpty()) {
      return costs.memLimit();
    }
    double imposed = k.getAsDouble() * costs.stages() * costs.memF(0);
    return imposed > 0 ? Math.min(costs.memLimit(), imposed) : costs.memLimit();
  }

  /** The same run under another cost model (e.g. with a memory limit), validated against it. */
  public PlanRun withCosts(CostModel other) {
    return new PlanRun(schedule, shape, other, plan, Validator.validate(plan, other), planMillis);
  }

  /** The same run with another plan (e.g. the optimizer's), validated against the same cost model. */
  public PlanRun withPlan(Plan other) {
    return new PlanRun(schedule, shape, costs, other, Validator.validate(other, costs), planMillis);
  }

  public boolean valid() {
    return validation.ok();
  }
}
