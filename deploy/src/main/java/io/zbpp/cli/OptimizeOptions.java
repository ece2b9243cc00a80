package io.zbpp.cli;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.optimize.OptimizationResult;
import io.zbpp.schedule.optimize.Optimizer;
import io.zbpp.schedule.optimize.SolverOptions;
import io.zbpp.schedule.render.Fmt;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --optimize [--time-limit S]} (use with {@code @Mixin}): runs the exact schedule optimizer
 * ({@link Optimizer}, docs/optimizer.md) warm-started from the schedule's own plan under the same memory limit.
 * The optimizer never returns a plan worse than its warm start, and its plan passes the validator.
 */
public final class OptimizeOptions {
  /** The longest solve accepted: a day. */
  static final double MAX_SECONDS = 86_400;

  @Option(names = "--optimize",
      description = "Improve the plan with the exact optimizer (CP-SAT) warm-started from the schedule's plan, "
          + "and report a proven lower bound; single-chunk schedules and zb-v, 1f1b-i (2 chunks per stage).")
  boolean optimize;

  @Option(names = "--time-limit", paramLabel = "S",
      description = "Seconds the optimizer may take per plan (default: 60 for schedule, 10 for bench paper).")
  Double timeLimit;

  private final double defaultTimeLimit;

  /** With the optimizer's default budget (60 s). */
  public OptimizeOptions() {
    this(SolverOptions.DEFAULT_TIME_LIMIT);
  }

  OptimizeOptions(double defaultTimeLimit) {
    this.defaultTimeLimit = defaultTimeLimit;
  }

  /** Whether {@code --optimize} was given (after checking that {@code --time-limit} is not given alone). */
  boolean enabled() {
    if (!optimize && timeLimit != null) {
      throw new UsageException("--time-limit [" + Fmt.num(timeLimit) + "]: only with --optimize");
    }
    return optimize;
  }

  /** The budget in seconds, checked. */
  double seconds() {
    double s = timeLimit == null ? defaultTimeLimit : timeLimit;
    if (!(s > 0) || s > MAX_SECONDS) {
      throw new UsageException("--time-limit [" + Fmt.num(s) + "]: must be a number of seconds > 0 and <= "
          + Fmt.num(MAX_SECONDS));
    }
    return s;
  }

  /**
   * Optimizes the plan of a valid run; says on {@code progress} what it is doing, since a solve takes up to
   * the time limit. The memory limit is the run's; without one, the warm start's own peak (the largest over
   * stages), so that the optimized plan never needs more memory than the schedule it improves.
   *
   * @return the run with the optimized plan and the limit it was optimized under, and the optimizer's result
   * @throws UsageException when the plan is invalid or its placement is not one the optimizer models
   */
  Optimized run(PlanRun run, PrintWriter progress) {
    if (!run.valid()) {
      throw new UsageException("--optimize: the " + run.schedule() + " plan is invalid, nothing to start from");
    }
    double seconds = seconds();
    CostModel costs = run.costs().hasMemLimit() ? run.costs()
        : run.costs().withMemLimit(run.validation().timeline().peakMemory().stream()
            .mapToDouble(Double::doubleValue).max().orElseThrow());
    int v = run.shape().chunksPerStage();
    progress.printf(Locale.ROOT, "optimizing %s p=%d m=%d%s under memory %s (time limit %s s)...%n", run.schedule(),
        run.shape().stages(), run.shape().microbatches(), v == 1 ? "" : " v=" + v, Fmt.num(costs.memLimit()),
        Fmt.num(seconds));
    progress.flush();
    OptimizationResult r;
    try {
      r = Optimizer.optimize(run.shape(), costs, run.plan(), SolverOptions.defaults().withTimeLimit(seconds));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--optimize: " + e.getMessage().lines().findFirst().orElse(""));
    }
    return new Optimized(run.withCosts(costs).withPlan(r.plan()), r);
  }

  /** A run after optimization: its plan is the optimizer's, its cost model carries the limit used. */
  record Optimized(PlanRun run, OptimizationResult result) {}

  /** The JSON fields the optimizer adds: optimal, lowerBound, gap, solveSeconds, and what it started from. */
  static void putJson(java.util.Map<String, Object> o, OptimizationResult r) {
    o.put("optimal", r.optimal());
    o.put("lowerBound", r.lowerBound());
    o.put("gap", r.gap());
    o.put("solveSeconds", r.solveMillis() / 1000.0);
    o.put("optimizeStatus", r.status().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    o.put("warmStartCost", r.warmStartCost());
    o.put("roundingError", r.roundingError());
  }

  /** One summary line: status, cost against bound and gap, time. */
  static String summary(OptimizationResult r) {
    return String.format(Locale.ROOT, "optimizer: %s  cost %s (warm start %s)  lower bound %s  gap %.3f%%  %.1f s%n",
        r.status().name().toLowerCase(Locale.ROOT).replace('_', ' '), Fmt.num(r.cost()), Fmt.num(r.warmStartCost()),
        Fmt.num(r.lowerBound()), 100 * r.gap(), r.solveMillis() / 1000.0);
  }
}
