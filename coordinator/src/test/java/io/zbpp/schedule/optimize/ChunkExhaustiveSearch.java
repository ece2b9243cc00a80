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
 * The multi-chunk test oracle, written independently of the optimizer, in doubles: every combination of
 * per-stage orders of chunk passes (each chunk's F, B, W in microbatch order, B(c,j) after F(c,j) and W(c,j)
 * after B(c,j) on the stage, the running memory under the limit), each executed as soon as dependencies allow,
 * by branch and bound. Each combination is reached along exactly one path: the stage that is free earliest
 * (ties: lowest index) picks its next pass, and a stage whose pass waits for an unscheduled dependency waits
 * until that dependency is placed; when every unfinished stage waits, the combination deadlocks. A branch is
 * cut when a stage's span so far plus its remaining work cannot beat the best cost found. Only for tiny
 * instances (p ≤ 3, m ≤ 3, v = 2).
 */
final class ChunkExhaustiveSearch {
  private static final Op[] OPS = {Op.F, Op.B, Op.W};

  /** The least cost over all valid plans, and one plan that has it. */
  record Best(double cost, Plan plan) {}

  private final CostModel costs;
  private final Placement pl;
  private final int m;
  private final int p;
  private final int chunks;
  private final double v;
  /** End time per (chunk, kind, microbatch), NaN while unscheduled. */
  private final double[][][] end;
  /** Per stage: passes placed, free time, first start, memory level, remaining work. */
  private final int[] placed;
  private final double[] free;
  private final double[] first;
  private final double[] level;
  private final double[] remaining;
  /** Per chunk and kind: how many microbatches are placed. */
  private final int[][] next;
  /** Per stage: the pass it waits on (chunk, kind), or null. */
  private final int[][] waiting;
  private final List<List<int[]>> orders = new ArrayList<>();
  private double best = Double.POSITIVE_INFINITY;
  private List<List<int[]>> bestOrders;

  private ChunkExhaustiveSearch(CostModel costs, Placement pl, int m) {
    this.costs = costs;
    this.pl = pl;
    this.m = m;
    this.p = pl.stages();
    this.chunks = pl.chunks();
    this.v = pl.chunksPerStage();
    this.end = new double[chunks][3][m];
    for (double[][] a : end) {
      for (double[] b : a) {
        Arrays.fill(b, Double.NaN);
      }
    }
    this.placed = new int[p];
    this.free = new double[p];
    this.first = new double[p];
    this.level = new double[p];
    this.remaining = new double[p];
    this.next = new int[chunks][3];
    this.waiting = new int[p][];
    for (int s = 0; s < p; s++) {
      remaining[s] = m * costs.work(s);
      orders.add(new ArrayList<>());
    }
  }

  static Best search(CostModel costs, Placement placement, int m) {
    ChunkExhaustiveSearch x = new ChunkExhaustiveSearch(costs, placement, m);
    x.dfs();
    List<List<Instruction>> stages = new ArrayList<>();
    for (int s = 0; s < x.p; s++) {
      List<Instruction> l = new ArrayList<>();
      for (int[] pass : x.bestOrders.get(s)) {
        l.add(new Instruction(s, OPS[pass[1]], pass[2], pass[0]));
      }
      stages.add(l);
    }
    return new Best(x.best, new Plan("exhaustive", m, placement, stages));
  }

  private void dfs() {
    if (bound() >= best - 1e-9) {
      return;
    }
    int s = -1;
    boolean unfinished = false;
    for (int t = 0; t < p; t++) {
      if (placed[t] < 3 * v * m) {
        unfinished = true;
        if (waiting[t] == null && (s < 0 || free[t] < free[s])) {
          s = t;
        }
      }
    }
    if (!unfinished) {
      best = cost();
      bestOrders = new ArrayList<>();
      for (List<int[]> o : orders) {
        bestOrders.add(new ArrayList<>(o));
      }
      return;
    }
    if (s < 0) {
      return; // every unfinished stage waits: deadlock
    }
    for (int c = 0; c < chunks; c++) {
      if (pl.stageOf(c) != s) {
        continue;
      }
      for (int k = 0; k < 3; k++) {
        int j = next[c][k];
        boolean allowed = j < m && (k == 0 || j < next[c][k - 1]);
        double delta = costs.mem(OPS[k], s) / v;
        if (allowed && level[s] + delta <= costs.memLimit() * (1 + 1e-9)) {
          choose(s, new int[] {c, k, j}, delta);
        }
      }
    }
  }

  /** Commits stage s to a pass: runs it (and any stage that waited for it), recurses, undoes. */
  private void choose(int s, int[] pass, double delta) {
    double[] savedFree = free.clone();
    double[] savedFirst = first.clone();
    int[][] savedWaiting = waiting.clone();
    List<int[]> ran = new ArrayList<>();
    orders.get(s).add(pass);
    placed[s]++;
    level[s] += delta;
    next[pass[0]][pass[1]]++;
    waiting[s] = pass;
    settle(ran);
    dfs();
    for (int k = ran.size() - 1; k >= 0; k--) {
      int[] r = ran.get(k);
      end[r[0]][r[1]][r[2]] = Double.NaN;
      remaining[pl.stageOf(r[0])] += costs.time(OPS[r[1]], pl.stageOf(r[0])) / v;
    }
    System.arraycopy(savedFree, 0, free, 0, p);
    System.arraycopy(savedFirst, 0, first, 0, p);
    System.arraycopy(savedWaiting, 0, waiting, 0, p);
    next[pass[0]][pass[1]]--;
    level[s] -= delta;
    placed[s]--;
    orders.get(s).remove(orders.get(s).size() - 1);
  }

  /** Runs every committed pass whose dependency has ended, until none can run. */
  private void settle(List<int[]> ran) {
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int s = 0; s < p; s++) {
        int[] w = waiting[s];
        if (w == null) {
          continue;
        }
        double ready = ready(s, w[0], w[1], w[2]);
        if (Double.isNaN(ready)) {
          continue;
        }
        double start = Math.max(free[s], ready);
        if (placed[s] == 1) {
          first[s] = start;
        }
        double t = start + costs.time(OPS[w[1]], s) / v;
        end[w[0]][w[1]][w[2]] = t;
        free[s] = t;
        remaining[s] -= costs.time(OPS[w[1]], s) / v;
        waiting[s] = null;
        ran.add(w);
        progress = true;
      }
    }
  }

  /** When a pass's dependency allows it to start, or NaN while the dependency has not run. */
  private double ready(int s, int c, int k, int j) {
    return switch (k) {
      case 0 -> c == 0 ? 0 : after(end[c - 1][0][j], pl.stageOf(c - 1) != s);
      case 1 -> c == chunks - 1 ? end[c][0][j] : after(end[c + 1][1][j], pl.stageOf(c + 1) != s);
      default -> end[c][1][j];
    };
  }

  private double after(double depEnd, boolean cross) {
    return depEnd + (cross ? costs.comm() : 0);
  }

  /** A lower bound on the cost of any completion: each stage's span so far plus its work still to run. */
  private double bound() {
    double b = 0;
    for (int s = 0; s < p; s++) {
      if (placed[s] > 0 && waiting[s] == null || placed[s] > 1) {
        b = Math.max(b, free[s] - first[s] + remaining[s]);
      }
    }
    return b;
  }

  private double cost() {
    double c = 0;
    for (int s = 0; s < p; s++) {
      c = Math.max(c, free[s] - first[s]);
    }
    return c;
  }
}
