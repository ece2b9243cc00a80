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
 * passes in microbatch order — and replaces every other stage by infinite capacity: each pass is released at
 * its DAG head, B(i,j) waits Σ_{k&gt;i}(T_F+T_B)[k] + 2(p−1−i)·T_comm after F(i,j) ends (with several chunks:
 * every pass waits for the stage's pass its DAG chain leads back to, by the chain's length), and stage i's
 * span is minimised. Every plan induces a feasible schedule of the relaxation of the same span or less, so its
 * proven bound is a bound of the whole problem; it captures memory-forced idle (e.g. stage 0 under p·M_B
 * cannot start an F while holding p activations).
 */
final class StageBound {
  private StageBound() {}

  /**
   * The closed-form bound of one stage, in units: the largest of its DAG tail from the first F, its work plus
   * the idle that no plan avoids, and its F work before the last F plus that F's DAG tail.
   *
   * <p>The stage's n = v·m chunk microbatches all have the same pass times and memory deltas (the stage's
   * divided by v); c_max is its highest chunk, whose B(c_max, j) every other B of microbatch j on the stage
   * waits for. Warm-up: until B(c_max,0) can start — D₀ after the first F, its DAG head minus the stage's
   * offset; single-chunk T_F + Σ_{k&gt;i}(T_F+T_B)[k] + 2(p−1−i)·T_comm — only F's can run, and at most
   * K = ⌊M_limit/ΔM(F)⌋ of them fit in memory, so at least D₀ − min(n,K)·T_F is idle. Cool-down: the last F
   * is F(c_max, m−1); from its end until B(c_max,m−1) can start, D₁ later (the chain through the chunks above
   * c_max, {@link #chainLag}; single-chunk D₀ − T_F), only B's and W's can run; if, when the last F starts,
   * a chunk microbatches are between F and B and w between B and W (which memory bounds by a·ΔM(F) +
   * w·(ΔM(F)+ΔM(B)) + (n−a−w)·rest ≤ M_limit), that work is at most (a−1)(T_B+T_W) + w·T_W, and the rest of
   * D₁ is idle. The two windows are disjoint when n &gt; K (some B must precede the last F); otherwise only the
   * larger idle counts. The last term: every other F of the stage precedes the last F, and when n &gt; K so
   * does the warm-up window.
   */
  static long closedForm(Instance in, Paths paths, int stage) {
    int[] chunks = in.chunksOf(stage);
    int top = chunks[chunks.length - 1];
    long[] d = in.dur[top];
    long n = (long) in.v * in.m;
    long work = n * (d[Instance.F] + d[Instance.B] + d[Instance.W]);
    long warmWindow = paths.head[in.id(top, Instance.B, 0)] - in.offset[stage];
    long coolWindow = chainLag(in, in.id(top, Instance.B, in.m - 1), stage);
    long k = Math.min(n, maxForwards(in, stage, top, n));
    long warm = Math.max(0, warmWindow - k * d[Instance.F]);
    long cool = Math.max(0, coolWindow - coolDownWork(in, stage, top, n));
    long idle = n > k ? warm + cool : Math.max(warm, cool);
    int lastF = in.id(top, Instance.F, in.m - 1);
    long beforeLastF = (n - 1) * d[Instance.F] + (n > k ? warm : 0);
    return Math.max(Math.max(work + idle, paths.tail[in.first(stage)]), beforeLastF + paths.tail[lastF]);
  }

  /**
   * The least time from the end of the pass of the stage that a pass's DAG predecessor chain leads back to,
   * to that pass's start, with infinite capacity elsewhere; 0 when the chain leaves the stage for good.
   */
  static long chainLag(Instance in, int id, int stage) {
    long lag = in.dagLag(id);
    for (int d = in.dagPred(id); d >= 0; d = in.dagPred(d)) {
      if (in.stageOf(d) == stage) {
        return lag;
      }
      lag += in.dur(d) + in.dagLag(d);
    }
    return 0;
  }

  /** The most F's that fit in memory before any B: ⌊M_limit/ΔM(F)⌋, or n without a usable limit. */
  private static long maxForwards(Instance in, int s, int chunk, long n) {
    long f = in.mem[chunk][Instance.F];
    if (!in.hasMemLimit || f <= 0 || !MemoryModel.cumulative(in, s)) {
      return n;
    }
    return in.memLimit / f;
  }

  /** The most B and W work a stage can have left when its last F starts, given its memory limit. */
  private static long coolDownWork(Instance in, int s, int chunk, long n) {
    long[] d = in.dur[chunk];
    if (!in.hasMemLimit || !MemoryModel.cumulative(in, s)) {
      return (n - 1) * (d[Instance.B] + d[Instance.W]);
    }
    long f = in.mem[chunk][Instance.F];
    long fb = f + in.mem[chunk][Instance.B];
    long rest = fb + in.mem[chunk][Instance.W];
    long best = 0;
    for (long a = 1; a <= n; a++) {
      long room = in.memLimit - a * f - (n - a) * rest;
      if (room < 0) {
        continue;
      }
      long w = fb - rest <= 0 ? n - a : Math.min(n - a, room / (fb - rest));
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
   * The relaxation's proven bound for one stage (units), solved within the solver's limits. With several chunks
   * per stage, a pass whose DAG predecessor chain reaches another pass of the same stage through other stages
   * waits for it by that chain's length ({@link #chainLag}: the other stages run it at once); single-chunk, that is
   * B(i,j) waiting Σ_{k&gt;i}(T_F+T_B)[k] + 2(p−1−i)·T_comm after F(i,j) ends.
   *
   * @param hint start times of a valid plan (used as a hint), or null
   * @param ub an upper bound on the cost (the incumbent's)
   */
  static long relaxed(Instance in, Paths paths, int stage, long[] hint, long ub, CpSolver solver) {
    Sat.load();
    CpModel model = new CpModel();
    long off = in.offset[stage];
    int[] ids = in.stageIds(stage);
    LinearArgument[] all = new LinearArgument[in.passes()];
    IntVar[] s = new IntVar[in.passes()];
    List<IntervalVar> intervals = new ArrayList<>();
    for (int id : ids) {
      long lo = Math.max(paths.head[id], off);
      long hi = id == in.first(stage) ? off : off + ub - paths.tail[id];
      s[id] = model.newIntVar(Math.min(lo, hi), hi, "s" + id);
      all[id] = s[id];
      intervals.add(model.newFixedSizeIntervalVar(s[id], in.dur(id), "i" + id));
      if (hint != null) {
        model.addHint(s[id], hint[id]);
      }
    }
    model.addNoOverlap(intervals);
    for (int id : ids) {
      int c = in.chainPred(id);
      if (c >= 0) {
        model.addGreaterOrEqual(s[id], LinearExpr.affine(s[c], 1, in.dur(c)));
      }
      int d = in.dagPred(id);
      while (d >= 0 && in.stageOf(d) != stage) {
        d = in.dagPred(d);
      }
      if (d >= 0) {
        model.addGreaterOrEqual(s[id], LinearExpr.affine(s[d], 1, in.dur(d) + chainLag(in, id, stage)));
      }
    }
    if (in.hasMemLimit) {
      MemoryModel.add(model, in, stage, all, null, 0, off + ub, hint);
    }
    IntVar c = model.newIntVar(0, ub, "C");
    for (int last : in.lasts(stage)) {
      model.addGreaterOrEqual(LinearExpr.affine(c, 1, off), LinearExpr.affine(s[last], 1, in.dur(last)));
    }
    model.minimize(c);
    CpSolverStatus status = solver.solve(model);
    if (status == CpSolverStatus.INFEASIBLE) {
      return 0; // the hinted plan is feasible, so this would be a modelling error: claim nothing
    }
    return (long) Math.ceil(solver.bestObjectiveBound() - 1e-6);
  }
}
