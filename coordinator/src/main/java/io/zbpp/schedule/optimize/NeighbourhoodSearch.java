package io.zbpp.schedule.optimize;

import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;
import java.util.Random;

/**
 * Large-neighbourhood search around an incumbent for instances too large for the full model. Each step picks
 * a time window [t, t+Δ) of the incumbent's execution (every other step: a p/k times wider window on k = 1
 * or 2 adjacent stages only, starting at the critical stage half the time): on those stages the passes that
 * start before t keep
 * their times, those inside the window are re-sequenced freely by CP-SAT (NoOverlap, memory reservoir, all
 * dependencies), and those after keep their order but may move. The sub-model minimises the cost, then the
 * sum of stage ends, under the incumbent's cost; an improving or equal-cost-but-tighter result replaces the
 * incumbent. Δ grows when a window is solved to optimality and shrinks when it times out. Random choices use
 * the options' seed.
 */
final class NeighbourhoodSearch {
  /** Passes a window starts with, over all stages. */
  static final int INITIAL_WINDOW_PASSES = 240;
  /** The most seconds one window may take. */
  static final double WINDOW_SECONDS = 3;

  private NeighbourhoodSearch() {}

  static Outcome run(Instance in, Paths paths, Incumbent start, long lb, SolverOptions opts, Deadline deadline) {
    Random rnd = new Random(opts.seed());
    Incumbent best = start;
    double perPass = (double) makespan(in, best) / in.stagePasses();
    double delta = perPass * INITIAL_WINDOW_PASSES / in.p;
    for (int step = 0; best.cost() > lb && deadline.left() > 0.1; step++) {
      long span = makespan(in, best);
      long t = (long) (rnd.nextDouble() * Math.max(1, span - delta));
      int[] prefix = new int[in.p];
      int[] middleEnd = new int[in.p];
      boolean stageWindow = step % 2 == 1;
      if (stageWindow) {
        int first = rnd.nextBoolean() ? critical(in, best) : rnd.nextInt(in.p);
        int count = 1 + rnd.nextInt(2);
        long wide = (long) (delta * in.p / count);
        t = (long) (rnd.nextDouble() * Math.max(1, span - wide));
        window(in, best, t, t + wide, prefix, middleEnd);
        for (int s = 0; s < in.p; s++) {
          if (s < first || s >= first + count) {
            middleEnd[s] = prefix[s];
          }
        }
      } else {
        window(in, best, t, t + (long) delta, prefix, middleEnd);
      }
      ScheduleModel model = new ScheduleModel(in, paths, best.order(), best.start(), prefix, middleEnd, lb,
          best.cost(), true);
      CpSolver solver = Sat.solver(opts, deadline.take(WINDOW_SECONDS), 1000 + step);
      solver.getParameters().setCpModelProbingLevel(0).setSymmetryLevel(0).setCpModelPresolve(false);
      CpSolverStatus status = solver.solve(model.model);
      if (opts.log() && status == CpSolverStatus.MODEL_INVALID) {
        System.err.println("invalid window model: " + model.model.validate());
      }
      if (Sat.hasSolution(status)) {
        Incumbent cand = Incumbent.of(Orders.byStart(model.starts(solver), in), in);
        if (cand != null && cand.betterThan(best)) {
          best = cand;
        }
      }
      if (!stageWindow) {
        delta = status == CpSolverStatus.OPTIMAL ? Math.min(delta * 1.25, span) : Math.max(delta / 1.25, perPass);
      }
      if (opts.log()) {
        System.err.printf("lns step %d window [%d,%d) %s cost %d sum %d wall %.2f%n", step, t, t + (long) delta,
            status, best.cost(), best.sumOfEnds(), solver.wallTime());
      }
    }
    return new Outcome(best, lb);
  }

  /** The stage whose span is the cost. */
  private static int critical(Instance in, Incumbent inc) {
    int best = 0;
    long worst = -1;
    for (int s = 0; s < in.p; s++) {
      int[] ids = inc.order()[s];
      long span = inc.start()[ids[ids.length - 1]] + in.dur(ids[ids.length - 1]) - inc.start()[ids[0]];
      if (span > worst) {
        worst = span;
        best = s;
      }
    }
    return best;
  }

  private static long makespan(Instance in, Incumbent inc) {
    long end = 0;
    for (int s = 0; s < in.p; s++) {
      int last = inc.order()[s][inc.order()[s].length - 1];
      end = Math.max(end, inc.start()[last] + in.dur(last));
    }
    return end;
  }

  /** Per stage, the passes starting before t (prefix) and before u (end of the free middle). */
  private static void window(Instance in, Incumbent inc, long t, long u, int[] prefix, int[] middleEnd) {
    for (int s = 0; s < in.p; s++) {
      int[] ids = inc.order()[s];
      int a = 0;
      while (a < ids.length && inc.start()[ids[a]] < t) {
        a++;
      }
      int b = a;
      while (b < ids.length && inc.start()[ids[b]] < u) {
        b++;
      }
      prefix[s] = a;
      middleEnd[s] = b;
    }
  }
}
