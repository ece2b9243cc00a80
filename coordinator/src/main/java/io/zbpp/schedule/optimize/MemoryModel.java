package io.zbpp.schedule.optimize;

import com.google.ortools.sat.CpModel;
import com.google.ortools.sat.CumulativeConstraint;
import com.google.ortools.sat.IntervalVar;
import com.google.ortools.sat.LinearArgument;
import com.google.ortools.sat.LinearExpr;
import com.google.ortools.sat.ReservoirConstraint;

/**
 * A stage's memory limit in CP-SAT. The running sum of ΔM in plan order peaks right after some pass; with
 * passes of one stage at distinct start times, it equals the level at any time of: every microbatch holds
 * ΔM(F) from its F's start to its B's start, ΔM(F)+ΔM(B) from there to its W's start, and the rest
 * ΔM(F)+ΔM(B)+ΔM(W) afterwards, summed over the stage's chunks (each with its own deltas). When those three
 * amounts are non-negative (the paper's M_B, M_W, 0) this is a cumulative constraint over 2–3 intervals per
 * chunk microbatch with the limit as capacity — linear in v·m, where
 * CP-SAT's reservoir expands into a quadratic number of literals. Otherwise a reservoir with events at pass
 * starts is used.
 */
final class MemoryModel {
  private MemoryModel() {}

  /** Whether the cumulative form applies to stage s (to each of its chunks). */
  static boolean cumulative(Instance in, int s) {
    boolean ok = true;
    for (int c : in.chunksOf(s)) {
      long f = in.mem[c][Instance.F];
      long fb = f + in.mem[c][Instance.B];
      ok &= f >= 0 && fb >= 0 && fb + in.mem[c][Instance.W] >= 0;
    }
    return ok;
  }

  /**
   * Adds stage s's memory limit over the given start expressions (indexed by pass id).
   *
   * @param fixed per pass id, its start time when fixed, else −1 (or null when nothing is fixed)
   * @param from a microbatch whose W is fixed to start before this time is left out when it holds nothing
   *     afterwards
   * @param end a time no pass of the stage ends after (the horizon of residual intervals)
   * @param hint start times of a valid plan to hint the interval sizes with, or null
   */
  static void add(CpModel model, Instance in, int s, LinearArgument[] start, long[] fixed, long from, long end,
      long[] hint) {
    if (!cumulative(in, s)) {
      addReservoir(model, in, s, start);
      return;
    }
    CumulativeConstraint c = model.addCumulative(in.memLimit);
    for (int chunk : in.chunksOf(s)) {
      add(model, c, in, chunk, start, fixed, from, end, hint);
    }
  }

  /** One chunk's microbatches as demands on its stage's cumulative constraint. */
  private static void add(CpModel model, CumulativeConstraint c, Instance in, int chunk, LinearArgument[] start,
      long[] fixed, long from, long end, long[] hint) {
    long f = in.mem[chunk][Instance.F];
    long fb = f + in.mem[chunk][Instance.B];
    long rest = fb + in.mem[chunk][Instance.W];
    for (int j = 0; j < in.m; j++) {
      int idF = in.id(chunk, Instance.F, j);
      int idB = in.id(chunk, Instance.B, j);
      int idW = in.id(chunk, Instance.W, j);
      if (rest == 0 && fixed != null && fixed[idW] >= 0 && fixed[idW] < from) {
        continue;
      }
      long hf = hint == null ? -1 : hint[idB] - hint[idF];
      long hb = hint == null ? -1 : hint[idW] - hint[idB];
      long hw = hint == null ? -1 : end - hint[idW];
      demand(model, c, start[idF], start[idB], f, end, hf, "mF" + idF);
      demand(model, c, start[idB], start[idW], fb, end, hb, "mB" + idB);
      demand(model, c, start[idW], LinearExpr.constant(end), rest, end, hw, "mW" + idW);
    }
  }

  private static void demand(CpModel model, CumulativeConstraint c, LinearArgument a, LinearArgument b, long d,
      long end, long hint, String name) {
    if (d == 0) {
      return;
    }
    var size = model.newIntVar(0, end, name + "z");
    if (hint >= 0) {
      model.addHint(size, hint);
    }
    model.addEquality(LinearExpr.newBuilder().add(b).addTerm(a, -1).build(), size);
    IntervalVar iv = model.newIntervalVar(a, size, b, name);
    c.addDemand(iv, d);
  }

  private static void addReservoir(CpModel model, Instance in, int s, LinearArgument[] start) {
    long negative = 0;
    for (int id : in.stageIds(s)) {
      negative += Math.abs(in.mem(id));
    }
    ReservoirConstraint r = model.addReservoirConstraint(-negative - 1, in.memLimit);
    for (int id : in.stageIds(s)) {
      r.addEvent(start[id], in.mem(id));
    }
  }
}
