package io.zbpp.schedule.optimize;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Placement;
import io.zbpp.schedule.Plan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The test's oracle: every combination of per-stage orders (F, B, W of each microbatch in that order, each
 * kind in microbatch order, running memory under the limit), each executed as soon as dependencies allow —
 * written independently of the optimizer, in doubles. Only for tiny instances (p ≤ 3, m ≤ 3).
 */
final class ExhaustiveSearch {
  private static final Op[] OPS = {Op.F, Op.B, Op.W};

  private ExhaustiveSearch() {}

  /** The least cost over all valid plans, and one plan that has it. */
  record Best(double cost, Plan plan) {}

  static Best search(CostModel costs, int m) {
    int p = costs.stages();
    List<List<int[]>> orders = new ArrayList<>();
    for (int s = 0; s < p; s++) {
      List<int[]> l = new ArrayList<>();
      enumerate(costs, s, m, new int[3 * m], 0, 0, 0, 0, 0.0, l);
      orders.add(l);
    }
    int[] pick = new int[p];
    double best = Double.POSITIVE_INFINITY;
    int[] bestPick = null;
    while (true) {
      double c = cost(costs, m, orders, pick);
      if (c < best) {
        best = c;
        bestPick = pick.clone();
      }
      int s = 0;
      while (s < p && ++pick[s] == orders.get(s).size()) {
        pick[s++] = 0;
      }
      if (s == p) {
        break;
      }
    }
    return new Best(best, plan(orders, bestPick, m));
  }

  /** Codes kind·m + j. */
  private static void enumerate(CostModel costs, int s, int m, int[] seq, int n, int nf, int nb, int nw,
      double level, List<int[]> out) {
    if (n == 3 * m) {
      out.add(seq.clone());
      return;
    }
    int[] counts = {nf, nb, nw};
    for (int k = 0; k < 3; k++) {
      boolean allowed = k == 0 ? nf < m : counts[k] < counts[k - 1];
      double next = level + costs.mem(OPS[k], s);
      if (allowed && next <= costs.memLimit() * (1 + 1e-9)) {
        seq[n] = k * m + counts[k];
        enumerate(costs, s, m, seq, n + 1, nf + (k == 0 ? 1 : 0), nb + (k == 1 ? 1 : 0), nw + (k == 2 ? 1 : 0),
            next, out);
      }
    }
  }

  /** The as-soon-as-possible cost of one combination, or +∞ on deadlock. */
  private static double cost(CostModel costs, int m, List<List<int[]>> orders, int[] pick) {
    int p = orders.size();
    double[][] end = new double[p][3 * m];
    for (double[] e : end) {
      Arrays.fill(e, Double.NaN);
    }
    int[] ptr = new int[p];
    double[] free = new double[p];
    double[] first = new double[p];
    int done = 0;
    while (done < 3 * m * p) {
      int before = done;
      for (int s = 0; s < p; s++) {
        int[] seq = orders.get(s).get(pick[s]);
        while (ptr[s] < seq.length) {
          int k = seq[ptr[s]] / m;
          int j = seq[ptr[s]] % m;
          double dep = switch (k) {
            case 0 -> s == 0 ? 0 : end[s - 1][j] + costs.comm();
            case 1 -> s == p - 1 ? end[s][j] : end[s + 1][m + j] + costs.comm();
            default -> end[s][m + j];
          };
          if (Double.isNaN(dep)) {
            break;
          }
          double start = Math.max(free[s], dep);
          if (ptr[s] == 0) {
            first[s] = start;
          }
          free[s] = start + costs.time(OPS[k], s);
          end[s][k * m + j] = free[s];
          ptr[s]++;
          done++;
        }
      }
      if (done == before) {
        return Double.POSITIVE_INFINITY;
      }
    }
    double c = 0;
    for (int s = 0; s < p; s++) {
      c = Math.max(c, free[s] - first[s]);
    }
    return c;
  }

  private static Plan plan(List<List<int[]>> orders, int[] pick, int m) {
    List<List<Instruction>> stages = new ArrayList<>();
    for (int s = 0; s < orders.size(); s++) {
      List<Instruction> l = new ArrayList<>();
      for (int code : orders.get(s).get(pick[s])) {
        l.add(Instruction.of(s, OPS[code / m], code % m));
      }
      stages.add(l);
    }
    return new Plan("exhaustive", m, Placement.single(orders.size()), stages);
  }
}
