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
 * deadlock and is reported on one line with, for each blocked stage, the pass it waits at, the pass that pass
 * waits for and the rule between them: {@code F after the previous stage's F} ({@code chunk's} on multi-chunk
 * placements), {@code B after the next stage's B} ({@code BW} for a fused backward, on either side),
 * {@code B after its own F} (the last chunk), {@code W after its own B}.
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
        Instruction at = plan.stage(s).get(ptr[s]);
        waits.add("stage " + s + " waits at " + name(at, plan) + " (pass " + ptr[s] + ") for "
            + dependency(at, plan));
      }
    }
    return String.join("; ", waits.subList(0, Math.min(6, waits.size())))
        + (waits.size() > 6 ? "; …" : "");
  }

  /** The pass {@code in} waits for and the rule, as {@code 0B0 (W after its own B)}; see {@link #ready}. */
  private static String dependency(Instruction in, Plan plan) {
    Placement pl = plan.placement();
    String neighbour = pl.isSingle() ? "stage's" : "chunk's";
    int c = in.chunk();
    int j = in.microbatch();
    return switch (in.op()) {
      case F -> c == 0 ? "nothing (first chunk)" : name(new Instruction(pl.stageOf(c - 1), Op.F, j, c - 1), plan)
          + " (F after the previous " + neighbour + " F)";
      case B, BW -> {
        if (c == pl.chunks() - 1) {
          yield name(new Instruction(pl.stageOf(c), Op.F, j, c), plan) + " (" + in.op() + " after its own F)";
        }
        Op back = backwardOp(plan, c + 1, j);
        yield name(new Instruction(pl.stageOf(c + 1), back, j, c + 1), plan) + " (" + in.op() + " after the next "
            + neighbour + " " + back + ")";
      }
      case W -> name(new Instruction(pl.stageOf(c), Op.B, j, c), plan) + " (W after its own B)";
    };
  }

  /** A pass as the plan file writes it, after its stage: {@code 1F0}, or {@code 1F0.1} on multi-chunk plans. */
  static String name(Instruction in, Plan plan) {
    return in.stage() + in.token(!plan.placement().isSingle());
  }

  /** BW when the plan fuses (chunk, microbatch)'s backward, else B. */
  private static Op backwardOp(Plan plan, int chunk, int microbatch) {
    for (Instruction in : plan.stage(plan.placement().stageOf(chunk))) {
      if (in.op() == Op.BW && in.chunk() == chunk && in.microbatch() == microbatch) {
        return Op.BW;
      }
    }
    return Op.B;
  }

  private static double[] nan(int n) {
    double[] a = new double[n];
    Arrays.fill(a, Double.NaN);
    return a;
  }
}
