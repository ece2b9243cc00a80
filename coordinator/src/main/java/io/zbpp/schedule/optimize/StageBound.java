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
    if (in.v > 1) {
      return closedFormChunks(in, paths, stage);
    }
    long[] d = in.dur[stage];
    long work = in.m * (d[Instance.F] + d[Instance.B] + d[Instance.W]);
    long lag = lag(in, stage);
    long k = Math.min(in.m, maxForwards(in, stage));
    long warm = Math.max(0, d[Instance.F] + lag - k * d[Instance.F]);
    long cool = Math.max(0, lag - coolDownWork(in, stage));
    long idle = in.m > k ? warm + cool : Math.max(warm, cool);
    return Math.max(work + idle, paths.tail[in.id(stage, Instance.F, 0)]);
  }

  /**
   * The closed-form bound of a stage holding v &gt; 1 chunks, in units: the largest of
   * <ul>
   *   <li>its DAG tail from its first F;
   *   <li>its work plus the warm-up idle: until B(c_max, 0) of its highest chunk can start — D after the first
   *       F, its DAG head minus the stage's offset — only F's can run (every B of the stage waits for that one,
   *       every W for a B), at most K = ⌊M_limit / min ΔM(F)⌋ of them, each at most the longest chunk F, so
   *       D − min(v·m, K)·T_F,max is idle;
   *   <li>all of its F work but the last F, that warm-up idle when v·m &gt; K (then some B precedes the last F,
   *       which is F(c_max, m−1), so the warm-up window lies before it), and the last F's DAG tail.
   * </ul>
   */
  private static long closedFormChunks(Instance in, Paths paths, int stage) {
    int[] chunks = in.chunksOf(stage);
    int top = chunks[chunks.length - 1];
    long work = 0;
    long fWork = 0;
    long maxF = 0;
    long minMemF = Long.MAX_VALUE;
    for (int c : chunks) {
      long[] d = in.dur[c];
      work += in.m * (d[Instance.F] + d[Instance.B] + d[Instance.W]);
      fWork += in.m * d[Instance.F];
      maxF = Math.max(maxF, d[Instance.F]);
      minMemF = Math.min(minMemF, in.mem[c][Instance.F]);
    }
    long n = (long) in.v * in.m;
    long k = !in.hasMemLimit || minMemF <= 0 || !MemoryModel.cumulative(in, stage) ? n
        : Math.min(n, in.memLimit / minMemF);
    long window = paths.head[in.id(top, Instance.B, 0)] - in.offset[stage];
    long warm = Math.max(0, window - k * maxF);
    int lastF = in.id(top, Instance.F, in.m - 1);
    long beforeLastF = fWork - in.dur(lastF) + (n > k ? warm : 0);
    return Math.max(Math.max(work + warm, paths.tail[in.first(stage)]), beforeLastF + paths.tail[lastF]);
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
   * The relaxation's proven bound for one stage (units), solved within the solver's limits. With several chunks
   * per stage, a pass whose DAG predecessor chain reaches another pass of the same stage through other stages
   * waits for it by that chain's length (the other stages run it at once); single-chunk, that is B(i,j) waiting
   * {@link #lag} after F(i,j) ends.
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
      long lag = in.dagLag(id);
      for (int d = in.dagPred(id); d >= 0; d = in.dagPred(d)) {
        if (in.stageOf(d) == stage) {
          model.addGreaterOrEqual(s[id], LinearExpr.affine(s[d], 1, in.dur(d) + lag));
          break;
        }
        lag += in.dur(d) + in.dagLag(d);
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
