package io.zbpp.schedule.optimize;

import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.IntVar;
import com.google.ortools.sat.IntervalVar;
import com.google.ortools.sat.LinearArgument;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.LinearExprBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The CP-SAT model of a schedule of v chunks per stage (docs/design.md §4, as interval scheduling rather than
 * the paper's big-M ILP), optionally restricted to a neighbourhood of a current plan for large-neighbourhood
 * search. Intervals are per chunk pass; a stage's NoOverlap and memory cover all of its chunks.
 *
 * <p>Each stage's current order splits into a <em>fixed prefix</em> (start times kept), a <em>free middle</em>
 * (fixed-size interval variables under one NoOverlap per stage and a memory reservoir with events at pass
 * starts) and a <em>chained suffix</em> (current order kept, times free, after every middle pass). The full
 * model is the case of an empty prefix and suffix. Constraints: F/B/W dependencies along the chunk order with
 * T_comm where chunks sit on different stages, same-kind passes of a chunk in microbatch order, stage i's first
 * F (its lowest chunk, microbatch 0) at its offset (Σ over the chunks before it of T_F/v + T_comm), and cost
 * C ≥ end of W(c, m−1) − offset_i for every chunk c on every stage i. In the as-soon-as-possible execution of an
 * order the first F of stage i starts exactly at that offset and the stage ends with one of those W's, so C is
 * the simulated cost, not a relaxation. Redundant:
 * every pass gets its DAG head as release and its DAG tail as a deadline relative to C, and C ≥ a given lower
 * bound.
 */
final class ScheduleModel {
  final CpModel model;
  final IntVar cost;
  private final Instance in;
  private final LinearArgument[] start;
  private final IntVar[] vars;
  private final long[] fixed;

  /**
   * @param order current per-stage orders (any valid plan)
   * @param current its as-soon-as-possible start times (units)
   * @param prefix per stage, how many leading passes keep their start times
   * @param middleEnd per stage, the end (exclusive) of the free middle; passes after it are chained
   * @param lb a proven lower bound on C (units)
   * @param ub the largest C allowed (units), normally the current cost
   * @param tieBreak whether to also minimise the sum of stage ends (for neighbourhood search)
   */
  ScheduleModel(Instance in, Paths paths, int[][] order, long[] current, int[] prefix, int[] middleEnd, long lb,
      long ub, boolean tieBreak) {
    Sat.load();
    this.model = new CpModel();
    this.in = in;
    this.start = new LinearArgument[in.passes()];
    this.vars = new IntVar[in.passes()];
    this.fixed = new long[in.passes()];
    java.util.Arrays.fill(fixed, -1);
    this.cost = model.newIntVar(Math.min(lb, ub), ub, "C");
    for (int s = 0; s < in.p; s++) {
      addStage(s, paths, order[s], current, prefix[s], middleEnd[s], ub);
    }
    addDependencies();
    LinearExprBuilder ends = LinearExpr.newBuilder();
    for (int s = 0; s < in.p; s++) {
      for (int last : in.lasts(s)) {
        model.addGreaterOrEqual(LinearExpr.affine(cost, 1, in.offset[s]),
            LinearExpr.affine(start[last], 1, in.dur(last)));
        ends.addTerm(start[last], 1);
      }
    }
    double weight = (double) in.p * (ub + 1);
    if (tieBreak && weight * (ub + 1) < 1e17) {
      ends.addTerm(cost, (long) weight);
      model.minimize(ends);
    } else {
      model.minimize(cost);
    }
    model.addHint(cost, ub);
  }

  private void addStage(int s, Paths paths, int[] ids, long[] current, int prefix, int middleEnd, long ub) {
    long prefixEnd = 0;
    for (int k = 0; k < prefix; k++) {
      int id = ids[k];
      start[id] = LinearExpr.constant(current[id]);
      fixed[id] = current[id];
      prefixEnd = current[id] + in.dur(id);
    }
    List<IntervalVar> intervals = new ArrayList<>();
    for (int k = prefix; k < ids.length; k++) {
      int id = ids[k];
      long lo = Math.max(Math.max(paths.head[id], prefixEnd), in.offset[s]);
      long hi = in.offset[s] + ub - paths.tail[id];
      if (id == in.first(s)) {
        hi = in.offset[s];
      }
      IntVar v = model.newIntVar(Math.min(lo, hi), hi, "s" + id);
      vars[id] = v;
      start[id] = v;
      model.addHint(v, current[id]);
      if (k < middleEnd) {
        intervals.add(model.newFixedSizeIntervalVar(v, in.dur(id), "i" + id));
      }
    }
    model.addNoOverlap(intervals);
    chainSuffix(ids, prefix, middleEnd);
    if (in.hasMemLimit && !intervals.isEmpty()) {
      MemoryModel.add(model, in, s, start, fixed, prefixEnd, in.offset[s] + ub, current);
    }
  }

  private void chainSuffix(int[] ids, int prefix, int middleEnd) {
    if (middleEnd >= ids.length) {
      return;
    }
    int first = ids[middleEnd];
    for (int k = prefix; k < middleEnd; k++) {
      before(ids[k], first, 0);
    }
    for (int k = middleEnd + 1; k < ids.length; k++) {
      before(ids[k - 1], ids[k], 0);
    }
  }

  private void addDependencies() {
    for (int id = 0; id < in.passes(); id++) {
      int d = in.dagPred(id);
      if (d >= 0) {
        before(d, id, in.dagLag(id));
      }
      int c = in.chainPred(id);
      if (c >= 0) {
        before(c, id, 0);
      }
    }
  }

  /** start[b] ≥ start[a] + dur(a) + lag, unless both are fixed. */
  private void before(int a, int b, long lag) {
    if (vars[a] == null && vars[b] == null) {
      return;
    }
    model.addGreaterOrEqual(start[b], LinearExpr.affine(start[a], 1, in.dur(a) + lag));
  }

  /** Start times of every pass in the solver's solution. */
  long[] starts(CpSolver solver) {
    long[] s = new long[in.passes()];
    for (int id = 0; id < s.length; id++) {
      s[id] = solver.value(start[id]);
    }
    return s;
  }
}
