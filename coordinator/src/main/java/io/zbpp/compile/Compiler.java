package io.zbpp.compile;

import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Timeline;
import io.zbpp.schedule.Validator;
import java.util.List;

/**
 * Compiles a compute plan into the programs the stage actors run every iteration (docs/design.md "Data flow",
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

  /**
   * The passes of the optimizer check after {@link #PASSES} (docs/post-validation.md): none for
   * {@code NONE}, the all-reduce for {@code SYNC}, the pipelined reduction and the validation for
   * {@code POST_VALIDATION}.
   */
  public static List<LoweringPass> checkPasses(OptimizerOptions.Check check) {
    return switch (check) {
      case NONE -> List.of();
      case SYNC -> List.of(new InsertGradientReduction(true));
      case POST_VALIDATION -> List.of(new InsertGradientReduction(false), new InsertValidation());
    };
  }

  private Compiler() {}

  /** The compiled job: the plan, its simulated timeline under the cost model, and the stage programs. */
  public record Compiled(Plan plan, Timeline timeline, Programs programs) {}

  /** @throws io.zbpp.schedule.InvalidPlanException when the plan or the lowered programs are invalid */
  public static Compiled compile(Plan plan, CostModel costs) {
    return compile(plan, costs, OptimizerOptions.Check.NONE);
  }

  /** As {@link #compile(Plan, CostModel)}, with the optimizer check's passes. */
  public static Compiled compile(Plan plan, CostModel costs, OptimizerOptions.Check check) {
    Timeline timeline = Validator.validate(plan, costs).orThrow();
    return new Compiled(plan, timeline, lower(plan, check));
  }

  /** Lowers a plan without validating it first; the message simulation still checks the result. */
  public static Programs lower(Plan plan) {
    return lower(plan, OptimizerOptions.Check.NONE);
  }

  /** Lowers through {@link #PASSES} then {@link #checkPasses}; the message simulation checks the result. */
  public static Programs lower(Plan plan, OptimizerOptions.Check check) {
    Programs p = Programs.of(plan);
    for (LoweringPass pass : PASSES) {
      p = pass.apply(p);
    }
    for (LoweringPass pass : checkPasses(check)) {
      p = pass.apply(p);
    }
    MessageSimulation.check(p);
    return p;
  }
}
