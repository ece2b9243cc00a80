package io.zbpp.schedule;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Executes a plan as soon as dependencies allow (docs/design.md §1–2): each stage runs its passes in order, one at
 * a time; F(c,j) waits for F(c−1,j); B or BW(c,j) waits for the backward of (c+1,j), or for F(c,j) on the last
 * chunk; W(c,j) waits for B(c,j). T_comm is added on every edge between chunks on different stages. A chunk
 * pass on a stage with v chunks takes T/v.
 *
 * <p>Runs in O(passes · sweeps); a plan whose passes cannot all run (a missing or misordered dependency) is a
 * deadlock and is reported with the passes each blocked stage waits at.
 */
public final class Simulator {
  private Simulator() {}

  public static Timeline simulate(Plan plan, CostModel costs) {
    int p = plan.stageCount();
    if (costs.stages() != p) {
      throw new IllegalArgumentException("cost model has " + costs.stages() + " stages, plan has " + p);
    }
    Placement pl = plan.placement();
    int chunks = pl.chunks();
    int m = plan.microbatches();
    double v = pl.chunksPerStage();
    double[] endF = nan(chunks * m);
    double[] endBack = nan(chunks * m);
    double[] endB = nan(chunks * m);
    double[][] start = new double[p][];
    double[][] end = new double[p][];
    for (int s = 0; s < p; s++) {
      start[s] = new double[plan.stage(s).size()];
      end[s] = new double[plan.stage(s).size()];
    }
    int[] ptr = new int[p];
    double[] free = new double[p];
    int done = 0;
    int total = plan.size();
    while (done < total) {
      int before = done;
      for (int s = 0; s < p; s++) {
        List<Instruction> ops = plan.stage(s);
        while (ptr[s] < ops.size()) {
          Instruction in = ops.get(ptr[s]);
          if (in.microbatch() >= m || in.chunk() >= chunks) {
            throw new InvalidPlanException("pass " + in + " is outside the plan's " + m + " microbatches and "
                + chunks + " chunks");
          }
          double ready = ready(in, s, free[s], pl, m, endF, endBack, endB, costs.comm());
          if (Double.isNaN(ready)) {
            break;
          }
          double t = ready + costs.time(in.op(), s) / v;
          start[s][ptr[s]] = ready;
          end[s][ptr[s]] = t;
          free[s] = t;
          record(in, m, t, endF, endBack, endB);
          ptr[s]++;
          done++;
        }
      }
      if (done == before) {
        throw new InvalidPlanException("deadlock: " + blocked(plan, ptr));
      }
    }
    return new Timeline(plan, costs, start, end, peakMemory(plan, costs));
  }

  /** The earliest start of a pass, or NaN while a dependency has not run. */
  private static double ready(Instruction in, int s, double free, Placement pl, int m, double[] endF,
      double[] endBack, double[] endB, double comm) {
    int c = in.chunk();
    int j = in.microbatch();
    return switch (in.op()) {
      case F -> c == 0 ? free : after(free, endF[(c - 1) * m + j], pl.stageOf(c - 1) != s, comm);
      case B, BW -> c == pl.chunks() - 1
          ? after(free, endF[c * m + j], false, comm)
          : after(free, endBack[(c + 1) * m + j], pl.stageOf(c + 1) != s, comm);
      case W -> after(free, endB[c * m + j], false, comm);
    };
  }

  private static double after(double free, double depEnd, boolean crossStage, double comm) {
    return Double.isNaN(depEnd) ? Double.NaN : Math.max(free, depEnd + (crossStage ? comm : 0));
  }

  private static void record(Instruction in, int m, double t, double[] endF, double[] endBack, double[] endB) {
    int k = in.chunk() * m + in.microbatch();
    switch (in.op()) {
      case F -> endF[k] = t;
      case B -> {
        endB[k] = t;
        endBack[k] = t;
      }
      case BW -> endBack[k] = t;
      case W -> { }
    }
  }

  /** Peak of each stage's running sum of memory deltas, in plan order, starting from 0. */
  static double[] peakMemory(Plan plan, CostModel costs) {
    double v = plan.placement().chunksPerStage();
    double[] peak = new double[plan.stageCount()];
    for (int s = 0; s < peak.length; s++) {
      double cur = 0;
      for (Instruction in : plan.stage(s)) {
        cur += costs.mem(in.op(), s) / v;
        peak[s] = Math.max(peak[s], cur);
      }
    }
    return peak;
  }

  private static String blocked(Plan plan, int[] ptr) {
    List<String> waits = new ArrayList<>();
    for (int s = 0; s < ptr.length; s++) {
      if (ptr[s] < plan.stage(s).size()) {
        waits.add("stage " + s + " waits at " + plan.stage(s).get(ptr[s]) + " (pass " + ptr[s] + ")");
      }
    }
    return String.join("; ", waits.subList(0, Math.min(6, waits.size())))
        + (waits.size() > 6 ? "; …" : "");
  }

  private static double[] nan(int n) {
    double[] a = new double[n];
    Arrays.fill(a, Double.NaN);
    return a;
  }
}
