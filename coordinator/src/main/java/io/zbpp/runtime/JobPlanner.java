package io.zbpp.runtime;

import io.zbpp.compile.Compiler;
import io.zbpp.protocol.msg.ResolvedJob;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.PlanText;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Validator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * From a job spec to compiled stage programs, checking the input first. Every bad value is answered with an
 * {@link IllegalArgumentException} whose one-line message starts with the job-spec field it is about (record
 * component names: {@code "stages [0]: must be at least 1"}), never a client's option name; clients map
 * fields to their own options. Messages of the schedulers themselves pass through as they are.
 *
 * <p>{@link #check} is the cheap part (field ranges, the optimizer options against p and the iterations), which
 * a client may run at its edge; {@link #plan} checks, plans, validates the memory limit and compiles. The
 * coordinator plans each job once.
 */
public final class JobPlanner {
  private static final AtomicLong PLANS = new AtomicLong();

  private JobPlanner() {}

  /**
   * The planned job: its cost model, compiled programs (plan, predicted timeline, programs) and re-planning
   * policy.
   */
  public record Planned(CostModel costs, Compiler.Compiled compiled, ReplanPolicy replan) {
    public double predictedBubbleRate() {
      return compiled.timeline().bubbleRate();
    }
  }

  /**
   * The field checks that need no planning.
   *
   * @throws IllegalArgumentException naming the first bad field
   */
  public static void check(ResolvedJob spec) {
    require(spec.stages() >= 1, "stages [" + spec.stages() + "]: must be at least 1");
    require(spec.microbatches() >= 1, "microbatches [" + spec.microbatches() + "]: must be at least 1");
    require(spec.chunksPerStage() >= 1, "chunksPerStage [" + spec.chunksPerStage() + "]: must be at least 1");
    require(spec.iterations() >= 1, "iterations [" + spec.iterations() + "]: must be at least 1");
    require(spec.frameBytes() >= 4, "frameBytes [" + spec.frameBytes() + "]: must be at least 4");
    require(!spec.planText().isEmpty() || Schedules.names().contains(spec.schedule()), "schedule ["
        + spec.schedule() + "]: unknown; expected one of " + String.join(", ", Schedules.names()));
    require(spec.memLimit() >= 0 && spec.memLimitFactor() >= 0 && !(spec.memLimit() > 0 && spec.memLimitFactor() > 0),
        "memLimit [" + spec.memLimit() + "] and memLimitFactor [" + spec.memLimitFactor()
            + "]: expected at most one, each >= 0");
    OptimizerOptions o = spec.optimizer();
    require(o.injectNanIteration() < spec.iterations() && o.injectNanStage() < spec.stages(),
        "optimizer.injectNan [" + o.injectNanIteration() + ":" + o.injectNanStage()
            + "]: expected ITERATION:STAGE with ITERATION < " + spec.iterations() + " and STAGE < " + spec.stages());
    CostModels.of(spec); // the per-stage lists' lengths
    JobCheckpoints.policy(spec); // the checkpoint fields
    replanPolicy(spec);
  }

  /**
   * The job's re-planning policy (docs/replan.md), from the spec's {@code replan} and {@code replanThreshold}.
   *
   * @throws IllegalArgumentException naming the field
   */
  public static ReplanPolicy replanPolicy(ResolvedJob job) {
    return ReplanPolicy.of(job.spec().getReplan(), job.spec().getReplanThreshold(), job.schedule(),
        !job.planText().isEmpty());
  }

  /**
   * Checks, plans (or parses the plan text), validates the memory limit, and compiles.
   *
   * @throws IllegalArgumentException naming the first bad field
   */
  public static Planned plan(ResolvedJob spec) {
    check(spec);
    PLANS.incrementAndGet();
    CostModel costs = CostModels.of(spec);
    Plan plan = spec.planText().isEmpty()
        ? Schedules.byName(spec.schedule()).plan(new Shape(spec.stages(), spec.microbatches(),
            spec.chunksPerStage()), costs)
        : fromText(spec);
    Validator.Validation v = Validator.validate(plan, costs);
    if (!v.ok() && v.problems().stream().allMatch(p -> p.contains("exceeds the limit"))) {
      String limit = spec.memLimit() > 0 || spec.memLimitFactor() <= 0 ? "memLimit [" + costs.memLimit() + "]"
          : "memLimitFactor [" + spec.memLimitFactor() + "] (limit " + costs.memLimit() + ")";
      throw new IllegalArgumentException(limit + ": infeasible for " + plan.schedule() + " with p="
          + spec.stages() + " m=" + spec.microbatches() + ": " + v.problems().get(0));
    }
    return new Planned(costs, Compiler.compile(plan, costs, spec.optimizer().check()), replanPolicy(spec));
  }

  /** How many jobs {@link #plan} planned in this JVM (a diagnostic: tests check that a job is planned once). */
  public static long plansMade() {
    return PLANS.get();
  }

  private static Plan fromText(ResolvedJob spec) {
    Plan plan = PlanText.parse(spec.planText());
    require(plan.stageCount() == spec.stages() && plan.microbatches() == spec.microbatches(),
        "planText [p=" + plan.stageCount() + " m=" + plan.microbatches() + "]: the job asks for p=" + spec.stages()
            + " m=" + spec.microbatches());
    return plan;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
