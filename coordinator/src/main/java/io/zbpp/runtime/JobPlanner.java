package io.zbpp.runtime;

import io.zbpp.compile.Compiler;
import io.zbpp.protocol.msg.JobSpec;
import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.PlanText;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Validator;

/**
 * From a job spec to compiled stage programs, checking the input first: every bad value is answered with
 * an {@link IllegalArgumentException} whose one-line message names it, before any actor starts.
 */
public final class JobPlanner {
  private JobPlanner() {}

  /** The planned job: its cost model and compiled programs (plan, predicted timeline, programs). */
  public record Planned(CostModel costs, Compiler.Compiled compiled) {
    public double predictedBubbleRate() {
      return compiled.timeline().bubbleRate();
    }
  }

  public static Planned plan(JobSpec spec) {
    check(spec.stages() >= 1, "--stages [" + spec.stages() + "]: must be at least 1");
    check(spec.microbatches() >= 1, "--microbatches [" + spec.microbatches() + "]: must be at least 1");
    check(spec.chunksPerStage() >= 1, "--chunks [" + spec.chunksPerStage() + "]: must be at least 1");
    check(spec.iterations() >= 1, "--iterations [" + spec.iterations() + "]: must be at least 1");
    check(spec.frameBytes() >= 4, "frame-bytes [" + spec.frameBytes() + "]: must be at least 4");
    CostModel costs = CostModels.of(spec);
    Plan plan = spec.planText().isEmpty()
        ? Schedules.byName(spec.schedule()).plan(new Shape(spec.stages(), spec.microbatches(),
            spec.chunksPerStage()), costs)
        : fromText(spec);
    Validator.Validation v = Validator.validate(plan, costs);
    if (!v.ok() && v.problems().stream().allMatch(p -> p.contains("exceeds the limit"))) {
      throw new IllegalArgumentException("--mem-limit [" + costs.memLimit() + "]: infeasible for " + plan.schedule()
          + " with p=" + spec.stages() + " m=" + spec.microbatches() + ": " + v.problems().get(0));
    }
    check(spec.optimizer().injectNanIteration() < spec.iterations() && spec.optimizer().injectNanStage() < spec.stages(),
        "--inject-nan [" + spec.optimizer().injectNanIteration() + ":" + spec.optimizer().injectNanStage()
            + "]: expected ITERATION:STAGE with ITERATION < " + spec.iterations() + " and STAGE < " + spec.stages());
    return new Planned(costs, Compiler.compile(plan, costs, spec.optimizer().check()));
  }

  private static Plan fromText(JobSpec spec) {
    Plan plan = PlanText.parse(spec.planText());
    check(plan.stageCount() == spec.stages() && plan.microbatches() == spec.microbatches(),
        "plan has p=" + plan.stageCount() + " m=" + plan.microbatches() + ", the job asks for p=" + spec.stages()
            + " m=" + spec.microbatches());
    return plan;
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
