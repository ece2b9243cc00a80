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
      for (int id : in.stageIds(t)) {
        tail[id] = q[id];
      }
    }
  }

  /** A topological order of the DAG: microbatch by microbatch, F down the chunks, B up, W down. */
  static int[] topological(Instance in) {
    int[] order = new int[in.passes()];
    int n = 0;
    for (int j = 0; j < in.m; j++) {
      for (int c = 0; c < in.chunks; c++) {
        order[n++] = in.id(c, Instance.F, j);
      }
      for (int c = in.chunks - 1; c >= 0; c--) {
        order[n++] = in.id(c, Instance.B, j);
      }
      for (int c = 0; c < in.chunks; c++) {
        order[n++] = in.id(c, Instance.W, j);
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

  /**
   * Longest path from each pass's start to the end of one of stage t's last passes (W(c, m−1) of its chunks
   * c); NONE where no path leads there.
   */
  private static long[] tailsTo(Instance in, int t) {
    long[] q = new long[in.passes()];
    Arrays.fill(q, NONE);
    int[] topo = topological(in);
    java.util.Set<Integer> lasts = new java.util.HashSet<>();
    for (int l : in.lasts(t)) {
      lasts.add(l);
    }
    for (int k = topo.length - 1; k >= 0; k--) {
      int id = topo[k];
      long best = lasts.contains(id) ? 0 : NONE;
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
    int c = in.chunkOf(id);
    int j = in.mbOf(id);
    int chain = j < in.m - 1 ? id + 1 : -1;
    return switch (in.kindOf(id)) {
      case Instance.F -> new int[] {chain,
          c < in.chunks - 1 ? in.id(c + 1, Instance.F, j) : in.id(c, Instance.B, j)};
      case Instance.B -> new int[] {chain, in.id(c, Instance.W, j), c > 0 ? in.id(c - 1, Instance.B, j) : -1};
      default -> new int[] {chain};
    };
  }
}
