package io.zbpp.schedule.optimize;

import java.util.Arrays;

/**
 * Longest paths in the pass DAG (dependencies with T_comm, plus same-kind microbatch order on each stage),
 * which every schedule respects whatever its per-stage order: they give each pass a head (earliest start, with
 * stage 0's first F at 0) and a tail (least time from its start to the end of its own stage's last pass,
 * W(i, m−1)). Both are valid for any plan, so they tighten the model without cutting a solution.
 */
final class Paths {
  private static final long NONE = Long.MIN_VALUE / 4;

  final long[] head;
  final long[] tail;

  Paths(Instance in) {
    this.head = heads(in);
    this.tail = new long[in.passes()];
    for (int t = 0; t < in.p; t++) {
      long[] q = tailsTo(in, t);
      for (int k = 0; k < 3 * in.m; k++) {
        int id = t * 3 * in.m + k;
        tail[id] = q[id];
      }
    }
  }

  /** A topological order of the DAG: microbatch by microbatch, F down the stages, B up, W down. */
  static int[] topological(Instance in) {
    int[] order = new int[in.passes()];
    int n = 0;
    for (int j = 0; j < in.m; j++) {
      for (int i = 0; i < in.p; i++) {
        order[n++] = in.id(i, Instance.F, j);
      }
      for (int i = in.p - 1; i >= 0; i--) {
        order[n++] = in.id(i, Instance.B, j);
      }
      for (int i = 0; i < in.p; i++) {
        order[n++] = in.id(i, Instance.W, j);
      }
    }
    return order;
  }

  private static long[] heads(Instance in) {
    long[] r = new long[in.passes()];
    for (int id : topological(in)) {
      long h = 0;
      int d = in.dagPred(id);
      if (d >= 0) {
        h = Math.max(h, r[d] + in.dur(d) + in.dagLag(id));
      }
      int c = in.chainPred(id);
      if (c >= 0) {
        h = Math.max(h, r[c] + in.dur(c));
      }
      r[id] = h;
    }
    return r;
  }

  /** Longest path from each pass's start to the end of W(t, m−1); NONE where no path leads there. */
  private static long[] tailsTo(Instance in, int t) {
    long[] q = new long[in.passes()];
    Arrays.fill(q, NONE);
    int[] topo = topological(in);
    for (int k = topo.length - 1; k >= 0; k--) {
      int id = topo[k];
      if (id == in.last(t)) {
        q[id] = in.dur(id);
        continue;
      }
      long best = NONE;
      for (int s : successors(in, id)) {
        if (s >= 0 && q[s] != NONE) {
          long lag = in.dagPred(s) == id ? in.dagLag(s) : 0;
          best = Math.max(best, lag + q[s]);
        }
      }
      q[id] = best == NONE ? NONE : in.dur(id) + best;
    }
    return q;
  }

  private static int[] successors(Instance in, int id) {
    int i = in.stageOf(id);
    int j = in.mbOf(id);
    int chain = j < in.m - 1 ? id + 1 : -1;
    return switch (in.kindOf(id)) {
      case Instance.F -> new int[] {chain, i < in.p - 1 ? in.id(i + 1, Instance.F, j) : in.id(i, Instance.B, j)};
      case Instance.B -> new int[] {chain, in.id(i, Instance.W, j), i > 0 ? in.id(i - 1, Instance.B, j) : -1};
      default -> new int[] {chain};
    };
  }
}
