package io.zbpp.schedule.auto;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.Timeline;
import io.zbpp.schedule.render.Fmt;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The automatic zero-bubble scheduler of docs/design.md §4: runs the {@link Heuristic} for every combination of
 * {@link Choices} under the cost model's memory limit and keeps the plan of smallest cost.
 *
 * <p>Contract: the returned plan is single-chunk, splits every backward into B and W, and passes the
 * {@link io.zbpp.schedule.Validator} against the given cost model, memory limit included, for every p ≥ 1,
 * m ≥ 1, per-stage times, T_comm ≥ 0 and limit ≥ {@link #minimumLimit(CostModel)}, provided each stage's
 * memory deltas do not grow over a microbatch (ΔM(F)+ΔM(B)+ΔM(W) ≤ 0 and ΔM(W) ≤ 0, as with the paper's
 * deltas); otherwise, where no candidate fits, it throws {@link IllegalArgumentException}.
 *
 * <p>Cost: each candidate is timed while it is built with the simulator's own arithmetic, so the candidate
 * costs compared are exactly the simulated costs; the winner is simulated once more and the result carries
 * that timeline. An unlimited model ({@code memLimit = +∞}) caps nothing: the warm-up then stops only where
 * another forward would add idle time before the first B, or at m (the reference caps at 3m·ΔM(F), which
 * never binds either).
 *
 * <p>Runs in O(p·m·8) time and O(p·m) memory per candidate.
 */
public final class AutoScheduler {
  /** The name given to plans of {@link #plan(Shape, CostModel)}. */
  public static final String NAME = "zb-auto";

  private AutoScheduler() {}

  /** The best plan under {@code costs.memLimit()}, named {@value #NAME}. */
  public static Plan plan(Shape shape, CostModel costs) {
    return search(NAME, shape, costs).plan();
  }

  /** {@link #search(String, Shape, CostModel)} with the plan named {@value #NAME}. */
  public static AutoResult search(Shape shape, CostModel costs) {
    return search(NAME, shape, costs);
  }

  /**
   * The best plan (named {@code name}), the choices that produced it (the first in {@link Choices#all()}
   * order among equal costs), and its timeline; see the class contract.
   */
  public static AutoResult search(String name, Shape shape, CostModel costs) {
    check(shape, costs);
    PartialPlan best = null;
    PartialPlan spare = null;
    Choices bestChoices = null;
    for (Choices c : Choices.all()) {
      PartialPlan run = spare != null ? spare.reset() : new PartialPlan(shape.stages(), shape.microbatches(), costs);
      if (runs(run, c) && (best == null || run.cost() < best.cost())) {
        spare = best;
        best = run;
        bestChoices = c;
      } else {
        spare = run;
      }
    }
    if (best == null) {
      throw new IllegalArgumentException(noFit(costs));
    }
    return finish(name, best, bestChoices, costs);
  }

  /**
   * The plan of one combination of choices (e.g. to warm-start an exact optimizer from a specific one).
   *
   * @throws IllegalArgumentException if that combination cannot keep the memory limit
   */
  public static AutoResult withChoices(String name, Shape shape, CostModel costs, Choices choices) {
    check(shape, costs);
    PartialPlan run = new PartialPlan(shape.stages(), shape.microbatches(), costs);
    if (!runs(run, choices)) {
      throw new IllegalArgumentException(noFit(costs));
    }
    return finish(name, run, choices, costs);
  }

  /**
   * The cost of every combination of choices, in search order; a combination that cannot keep the memory
   * limit is absent. Each cost equals the simulated cost of that combination's plan.
   */
  public static Map<Choices, Double> candidateCosts(Shape shape, CostModel costs) {
    check(shape, costs);
    Map<Choices, Double> out = new LinkedHashMap<>();
    PartialPlan run = new PartialPlan(shape.stages(), shape.microbatches(), costs);
    for (Choices c : Choices.all()) {
      if (runs(run.reset(), c)) {
        out.put(c, run.cost());
      }
    }
    return out;
  }

  /**
   * The smallest limit the heuristic accepts: one microbatch's own peak on the worst stage,
   * max over stages of ΔM(F) + max(0, ΔM(B)) (just ΔM(F) with the paper's deltas).
   */
  public static double minimumLimit(CostModel costs) {
    double min = 0;
    for (int s = 0; s < costs.stages(); s++) {
      min = Math.max(min, costs.memF(s) + Math.max(0, costs.memB(s)));
    }
    return min;
  }

  private static void check(Shape shape, CostModel costs) {
    if (shape.chunksPerStage() != 1) {
      throw new IllegalArgumentException(
          "chunks [" + shape.chunksPerStage() + "]: the automatic zero-bubble schedule is single-chunk; give 1");
    }
    if (shape.stages() != costs.stages()) {
      throw new IllegalArgumentException("stages [" + shape.stages() + "]: the cost model has " + costs.stages());
    }
    double min = minimumLimit(costs);
    if (costs.memLimit() < min) {
      throw new IllegalArgumentException("memLimit [" + Fmt.num(costs.memLimit())
          + "]: below one microbatch's activation memory; give at least " + Fmt.num(min)
          + " (max over stages of ΔM(F) + max(0, ΔM(B)))");
    }
  }

  /** Runs the heuristic into an empty plan; false where it cannot keep the memory limit. */
  private static boolean runs(PartialPlan empty, Choices choices) {
    try {
      return Heuristic.run(empty, choices).peak() <= empty.limit();
    } catch (Heuristic.CannotFit e) {
      return false;
    }
  }

  private static AutoResult finish(String name, PartialPlan run, Choices choices, CostModel costs) {
    Plan plan = run.toPlan(name);
    Timeline timeline = Simulator.simulate(plan, costs);
    if (timeline.cost() != run.cost()) {
      throw new IllegalStateException("heuristic timing " + run.cost() + " differs from the simulated cost "
          + timeline.cost() + " of " + name + " (" + choices + ")");
    }
    return new AutoResult(plan, choices, timeline);
  }

  private static String noFit(CostModel costs) {
    return "memLimit [" + Fmt.num(costs.memLimit()) + "]: the automatic zero-bubble schedule cannot keep every stage "
        + "under it (memory deltas must not grow over a microbatch: ΔM(F)+ΔM(B)+ΔM(W) ≤ 0, ΔM(W) ≤ 0)";
  }
}
