package io.zbpp.schedule.optimize;

import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;
import com.google.ortools.sat.IntVar;
import com.google.ortools.sat.IntervalVar;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.LinearArgument;
import java.util.ArrayList;
import java.util.List;

/**
 * Lower bounds on the cost that hold for every valid plan.
 *
 * <p>The closed-form bound of stage i is the larger of its work m·(T_F+T_B+T_W)_i and its DAG tail from the
 * first F (the unavoidable warm-up and cool-down: F through the downstream stages, B back, then the W's).
 * The <em>single-stage relaxation</em> keeps one stage exactly — its NoOverlap, its memory reservoir, its
 * passes in microbatch order — and replaces every other stage by infinite capacity: each F is released at
 * its DAG head, B(i,j) waits Σ_{k&gt;i}(T_F+T_B)[k] + 2(p−1−i)·T_comm after F(i,j) ends, and stage i's span
 * is minimised. Every plan induces a feasible schedule of the relaxation of the same span or less, so its
 * proven bound is a bound of the whole problem; it captures memory-forced idle (e.g. stage 0 under p·M_B
 * cannot start an F while holding p activations).
 */
final class StageBound {
  private StageBound() {}

  /**
   * The closed-form bound of one stage, in units: the larger of its DAG tail from the first F and its work
   * plus the idle that no plan avoids.
   *
   * <p>Warm-up: until B(i,0) can start, at T_F + D after the first F (D = {@link #lag}), only F's can run,
   * and at most K = ⌊M_limit/ΔM(F)⌋ of them fit in memory, so at least T_F + D − min(m,K)·T_F is idle.
   * Cool-down: from the end of the last F until B(i,m−1) can start, D later, only B's and W's can run; if,
   * when F(i,m−1) starts, a microbatches are between F and B and w between B and W (which memory bounds by
   * a·ΔM(F) + w·(ΔM(F)+ΔM(B)) + (m−a−w)·rest ≤ M_limit), that work is at most (a−1)(T_B+T_W) + w·T_W, and
   * the rest of D is idle. The two windows are disjoint when m &gt; K (some B must precede the last F);
   * otherwise only the larger idle counts.
   */
  static long closedForm(Instance in, Paths paths, int stage) {
    long[] d = in.dur[stage];
    long work = in.m * (d[Instance.F] + d[Instance.B] + d[Instance.W]);
    long lag = lag(in, stage);
    long k = Math.min(in.m, maxForwards(in, stage));
    long warm = Math.max(0, d[Instance.F] + lag - k * d[Instance.F]);
    long cool = Math.max(0, lag - coolDownWork(in, stage));
    long idle = in.m > k ? warm + cool : Math.max(warm, cool);
    return Math.max(work + idle, paths.tail[in.id(stage, Instance.F, 0)]);
  }

  /** The most F's that fit in memory before any B: ⌊M_limit/ΔM(F)⌋, or m without a usable limit. */
  private static long maxForwards(Instance in, int s) {
    long f = in.mem[s][Instance.F];
    if (!in.hasMemLimit || f <= 0 || !MemoryModel.cumulative(in, s)) {
      return in.m;
    }
    return in.memLimit / f;
  }

  /** The most B and W work a stage can have left when its last F starts, given its memory limit. */
  private static long coolDownWork(Instance in, int s) {
    long[] d = in.dur[s];
    if (!in.hasMemLimit || !MemoryModel.cumulative(in, s)) {
      return (in.m - 1) * (d[Instance.B] + d[Instance.W]);
    }
    long f = in.mem[s][Instance.F];
    long fb = f + in.mem[s][Instance.B];
    long rest = fb + in.mem[s][Instance.W];
    long best = 0;
    for (long a = 1; a <= in.m; a++) {
      long room = in.memLimit - a * f - (in.m - a) * rest;
      if (room < 0) {
        continue;
      }
      long w = fb - rest <= 0 ? in.m - a : Math.min(in.m - a, room / (fb - rest));
      best = Math.max(best, (a - 1) * (d[Instance.B] + d[Instance.W]) + w * d[Instance.W]);
    }
    return best;
  }

  /** Time from F(i,j)'s end to the earliest start of B(i,j) with infinite capacity downstream. */
  static long lag(Instance in, int stage) {
    long lag = 0;
    for (int k = stage + 1; k < in.p; k++) {
      lag += in.dur[k][Instance.F] + in.dur[k][Instance.B] + 2 * in.comm;
    }
    return lag;
  }

  /**
   * The relaxation's proven bound for one stage (units), solved within the solver's limits.
   *
   * @param hint start times of a valid plan (used as a hint), or null
   * @param ub an upper bound on the cost (the incumbent's)
   */
  static long relaxed(Instance in, Paths paths, int stage, long[] hint, long ub, CpSolver solver) {
    Sat.load();
    CpModel model = new CpModel();
    int base = stage * 3 * in.m;
    long off = in.offset[stage];
    IntVar[] s = new IntVar[3 * in.m];
    List<IntervalVar> intervals = new ArrayList<>();
    for (int k = 0; k < s.length; k++) {
      int id = base + k;
      long lo = Math.max(paths.head[id], off);
      long hi = k == 0 ? off : off + ub - paths.tail[id];
      s[k] = model.newIntVar(Math.min(lo, hi), hi, "s" + id);
      intervals.add(model.newFixedSizeIntervalVar(s[k], in.dur(id), "i" + id));
      if (hint != null) {
        model.addHint(s[k], hint[id]);
      }
    }
    model.addNoOverlap(intervals);
    long lag = lag(in, stage);
    for (int j = 0; j < in.m; j++) {
      after(model, s, in, stage, Instance.F, j, Instance.B, j, lag);
      after(model, s, in, stage, Instance.B, j, Instance.W, j, 0);
      for (int kind = 0; kind < 3 && j > 0; kind++) {
        after(model, s, in, stage, kind, j - 1, kind, j, 0);
      }
    }
    if (in.hasMemLimit) {
      LinearArgument[] all = new LinearArgument[in.passes()];
      System.arraycopy(s, 0, all, base, s.length);
      MemoryModel.add(model, in, stage, all, null, 0, off + ub, hint);
    }
    int last = in.last(stage) - base;
    IntVar c = model.newIntVar(0, ub, "C");
    model.addGreaterOrEqual(LinearExpr.affine(c, 1, off), LinearExpr.affine(s[last], 1, in.dur(in.last(stage))));
    model.minimize(c);
    CpSolverStatus status = solver.solve(model);
    if (status == CpSolverStatus.INFEASIBLE) {
      return 0; // the hinted plan is feasible, so this would be a modelling error: claim nothing
    }
    return (long) Math.ceil(solver.bestObjectiveBound() - 1e-6);
  }

  private static void after(CpModel model, IntVar[] s, Instance in, int stage, int k1, int j1, int k2, int j2,
      long lag) {
    int a = k1 * in.m + j1;
    int b = k2 * in.m + j2;
    model.addGreaterOrEqual(s[b], LinearExpr.affine(s[a], 1, in.dur[stage][k1] + lag));
  }
}
