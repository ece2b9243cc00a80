package io.zbpp.compile;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Timeline;
import io.zbpp.schedule.Validator;
import java.util.List;

/**
 * Compiles a compute plan into the programs the stage actors run every iteration (DESIGN.md "Data flow",
 * step 3): validate the plan (placement, passes, order, deadlock, memory), lower it through {@link #PASSES}
 * in order, then prove the result with {@link MessageSimulation}.
 */
public final class Compiler {
  /** The lowering passes, in the order they run. The one place that lists them. */
  public static final List<LoweringPass> PASSES = List.of(
      new InsertActivationComm(),
      new InsertGradientComm(),
      new InsertLoss(),
      new InsertOptimizerStep());

  private Compiler() {}

  /** The compiled job: the plan, its simulated timeline under the cost model, and the stage programs. */
  public record Compiled(Plan plan, Timeline timeline, Programs programs) {}

  /** @throws io.zbpp.schedule.InvalidPlanException when the plan or the lowered programs are invalid */
  public static Compiled compile(Plan plan, CostModel costs) {
    Timeline timeline = Validator.validate(plan, costs).orThrow();
    return new Compiled(plan, timeline, lower(plan));
  }

  /** Lowers a plan without validating it first; the message simulation still checks the result. */
  public static Programs lower(Plan plan) {
    Programs p = Programs.of(plan);
    for (LoweringPass pass : PASSES) {
      p = pass.apply(p);
    }
    MessageSimulation.check(p);
    return p;
  }
}
