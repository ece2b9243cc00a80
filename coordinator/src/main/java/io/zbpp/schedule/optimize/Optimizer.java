package io.zbpp.schedule.optimize;

import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;
import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.Validator;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The exact schedule optimizer (docs/design.md §4, docs/optimizer.md): the plan of least cost under the cost
 * model's memory limit for the warm start's placement (single-chunk, or v chunks per stage as in ZB-V and
 * interleaved 1F1B), or, within the time limit, the best plan found with a proven lower bound.
 *
 * <p>Cost is the {@link Simulator}'s: each stage runs its order as soon as dependencies allow and the cost
 * is the largest stage span. Times are integral in the model at the {@link TimeScale} resolution (1 µs for
 * times in ms with three decimals — exact for the paper's profile); when rounding is needed, the returned
 * bound is reduced by the stated {@link OptimizationResult#roundingError()} so that it stays a bound.
 *
 * <p>The search: (1) the closed-form lower bound ({@link StageBound}); (2) the incumbent is the best of the
 * warm start (fused BW split into B, W) and the {@link #constructive} plans (multi-chunk: the
 * {@link ChunkListScheduler}), searched within 30 % of the budget; (3) single-stage relaxations raise the
 * bound (short stages only); (4) up to
 * {@link #FULL_MODEL_PASSES} passes the full CP-SAT model hinted with the incumbent, beyond that
 * large-neighbourhood search ({@link NeighbourhoodSearch}), for the rest of the budget. The result is never
 * worse than the warm start (it falls back to it), and its plan passes the {@link Validator}.
 */
public final class Optimizer {
  /**
   * Instances with at most this many passes (3·p·v·m; the p=8 paper settings, with v = 2 those of m ≤ 32) are
   * solved with the full model, larger ones by neighbourhood search; system property {@code zbpp.fullModelPasses} overrides it.
   */
  static final int FULL_MODEL_PASSES = Integer.getInteger("zbpp.fullModelPasses", 1600);

  /** Single-stage relaxations are solved only for stages of at most this many passes (3·m). */
  static final int RELAXED_PASSES = 200;

  private Optimizer() {}

  public static OptimizationResult optimize(Shape shape, CostModel costs, Plan warmStart, SolverOptions opts) {
    long t0 = System.nanoTime();
    check(shape, costs, warmStart);
    Sat.load();
    double warmCost = Validator.validate(warmStart, costs).orThrow().cost();
    Instance in = new Instance(costs, warmStart.placement(), shape.microbatches(),
        TimeScale.of(costs, shape.chunksPerStage()));
    Paths paths = new Paths(in);
    Deadline deadline = Deadline.of(t0, opts);
    long lb = closedFormBound(in, paths);
    Deadline constructive = deadline.share(0.3);
    Incumbent best = start(in, Incumbent.of(Orders.of(warmStart, in), in), lb, constructive, opts.log());
    lb = relaxedBound(in, paths, best, lb, opts, deadline);
    if (best.cost() > lb && deadline.left() > 0.05) {
      Outcome out = in.passes() <= FULL_MODEL_PASSES
          ? fullModel(in, paths, best, opts, deadline, lb)
          : NeighbourhoodSearch.run(in, paths, best, lb, opts, deadline);
      best = out.best();
      lb = Math.max(lb, out.bound());
    }
    return result(in, costs, warmStart, warmCost, best, lb, t0);
  }

  /**
   * The optimizer's own constructive plan without any search: the better of the greedy list schedule over
   * in-flight caps ({@link ListScheduler}) and the ZB-H1/H2-like template family ({@link TemplateSearch}),
   * named {@code greedy}; empty when neither fits the memory limit. Single-chunk shapes only.
   */
  public static java.util.Optional<Plan> constructive(Shape shape, CostModel costs) {
    if (shape.chunksPerStage() != 1 || shape.stages() != costs.stages()) {
      throw new IllegalArgumentException("chunks [" + shape.chunksPerStage()
          + "]: the optimizer handles single-chunk plans only (1), with one cost per stage");
    }
    Instance in = new Instance(costs, shape.microbatches(), TimeScale.of(costs));
    Deadline none = new Deadline(System.nanoTime(), Double.MAX_VALUE);
    Incumbent g = ListScheduler.best(in, 0, none);
    Incumbent t = TemplateSearch.best(in, 0, none);
    Incumbent best = g == null ? t : t == null || g.betterThan(t) ? g : t;
    return java.util.Optional.ofNullable(best).map(b -> Orders.toPlan(b.order(), in, "greedy"))
        .filter(plan -> Validator.validate(plan, costs).ok());
  }

  private static void check(Shape shape, CostModel costs, Plan warm) {
    if (shape.chunksPerStage() != warm.placement().chunksPerStage()) {
      throw new IllegalArgumentException("chunks [" + warm.placement().chunksPerStage() + "]: the warm start must "
          + "have the shape's " + shape.chunksPerStage() + " chunks per stage");
    }
    if (shape.stages() != costs.stages() || shape.stages() != warm.stageCount()) {
      throw new IllegalArgumentException("stages [" + warm.stageCount() + "]: the warm start must have the "
          + shape.stages() + " stages of the shape and the cost model (" + costs.stages() + ")");
    }
    if (shape.microbatches() != warm.microbatches()) {
      throw new IllegalArgumentException("microbatches [" + warm.microbatches() + "]: the warm start must have "
          + "the shape's " + shape.microbatches());
    }
  }

  /**
   * The better of the warm start and the constructive plans (greedy, template; multi-chunk: the chunk greedy),
   * searched within 30 % of the budget (each family evaluates at least one member).
   */
  private static Incumbent start(Instance in, Incumbent warm, long lb, Deadline deadline, boolean log) {
    Incumbent best = warm;
    if (in.v > 1) {
      Incumbent c = best.cost() > lb ? ChunkListScheduler.best(in, lb, deadline) : null;
      if (log) {
        System.err.printf("warm start %d units, chunk greedy %s%n", warm.cost(), c == null ? "-" : c.cost());
      }
      return c != null && c.betterThan(best) ? c : best;
    }
    for (int k = 0; k < 3 && best.cost() > lb; k++) {
      Incumbent c = switch (k) {
        case 0 -> TemplateSearch.zbH1(in);
        case 1 -> ListScheduler.best(in, lb, deadline);
        default -> TemplateSearch.best(in, lb, deadline);
      };
      if (log) {
        System.err.printf("warm start %d units, %s %s%n", warm.cost(), List.of("zb-h1", "greedy", "template").get(k),
            c == null ? "-" : c.cost());
      }
      if (c != null && c.betterThan(best)) {
        best = c;
      }
    }
    return best;
  }

  private static long closedFormBound(Instance in, Paths paths) {
    long lb = 0;
    for (int s = 0; s < in.p; s++) {
      lb = Math.max(lb, StageBound.closedForm(in, paths, s));
    }
    return lb;
  }

  /**
   * The closed-form bound raised by single-stage relaxations of up to 8 stages, those with the largest
   * closed-form bound first, within a fifth of the budget; skipped for long stages (3·m &gt; 200), where they
   * do not reach the closed-form bound in their time slice.
   */
  static long relaxedBound(Instance in, Paths paths, Incumbent best, long lb0, SolverOptions opts,
      Deadline deadline) {
    long[] closed = new long[in.p];
    for (int s = 0; s < in.p; s++) {
      closed[s] = StageBound.closedForm(in, paths, s);
    }
    long lb = lb0;
    Integer[] stages = IntStream.range(0, in.p).boxed().toArray(Integer[]::new);
    Arrays.sort(stages, Comparator.comparingLong((Integer s) -> -closed[s]).thenComparing(s -> s));
    if (in.stagePasses() > RELAXED_PASSES) {
      return lb;
    }
    double budget = Math.min(deadline.left() * 0.2, 2.0 * in.p);
    for (int k = 0; k < stages.length && lb < best.cost() && deadline.left() > 0.05; k++) {
      double slice = budget / Math.min(in.p, 8);
      if (k >= 8 || slice < 0.05) {
        break;
      }
      CpSolver solver = Sat.solver(opts, deadline.take(slice), k);
      long r = StageBound.relaxed(in, paths, stages[k], best.start(), best.cost(), solver);
      if (opts.log()) {
        System.err.printf("stage %d: closed-form bound %d, relaxation bound %d (incumbent %d)%n", stages[k],
            closed[stages[k]], r, best.cost());
      }
      lb = Math.max(lb, r);
    }
    return Math.min(lb, best.cost());
  }

  private static Outcome fullModel(Instance in, Paths paths, Incumbent best, SolverOptions opts,
      Deadline deadline, long lb) {
    int[] zero = new int[in.p];
    int[] all = new int[in.p];
    Arrays.fill(all, in.stagePasses());
    ScheduleModel model = new ScheduleModel(in, paths, best.order(), best.start(), zero, all, lb, best.cost(),
        false);
    CpSolver solver = Sat.solver(opts, deadline.take(deadline.left()), 100);
    CpSolverStatus status = solver.solve(model.model);
    // The hint is feasible, so INFEASIBLE would mean a modelling error: then trust no bound from it.
    long bound = status == CpSolverStatus.INFEASIBLE ? lb : (long) Math.ceil(solver.bestObjectiveBound() - 1e-6);
    Incumbent found = Sat.hasSolution(status) ? Incumbent.of(Orders.byStart(model.starts(solver), in), in) : null;
    Incumbent out = found != null && found.betterThan(best) ? found : best;
    return new Outcome(out, Math.min(out.cost(), Math.max(lb, bound)));
  }

  private static OptimizationResult result(Instance in, CostModel costs, Plan warm, double warmCost,
      Incumbent best, long lbUnits, long t0) {
    Plan plan = Orders.toPlan(best.order(), in, warm.schedule() + "+opt");
    var validation = Validator.validate(plan, costs);
    double cost = validation.ok() ? validation.timeline().cost() : Double.POSITIVE_INFINITY;
    if (!(cost < warmCost)) {
      plan = warm;
      cost = warmCost;
    }
    double lb = Math.min(cost, in.scale.time(lbUnits) - in.roundingError);
    boolean optimal = cost - lb <= 1e-9 * Math.max(1, Math.abs(cost));
    double gap = optimal || cost == 0 ? 0 : (cost - lb) / cost;
    OptimizationResult.Status status = optimal ? OptimizationResult.Status.OPTIMAL
        : cost < warmCost ? OptimizationResult.Status.IMPROVED : OptimizationResult.Status.NOT_IMPROVED;
    long millis = (System.nanoTime() - t0) / 1_000_000;
    return new OptimizationResult(plan, cost, optimal ? cost : lb, optimal, gap, warmCost, millis, status,
        in.scale.resolution(), in.roundingError);
  }
}
