package io.zbpp.schedule.optimize;

/**
 * A family of ZB-H1/ZB-H2-like orders (docs/design.md §3) searched exhaustively as a second warm start. Stage i runs
 * a_i warm-up F's, then repeats "B(k); W(k − d_i) once k ≥ d_i; F(k + a_i) while F's remain", then its
 * remaining W's: a_i microbatches are in flight between F and B, d_i more hold M_W between B and W. With
 * a_i = p − i and d_i = i this is ZB-H1 (peak p·M_B); with larger a_i it approaches ZB-H2. The family is
 * a_i = A − α·i and d_i = D + β·i (clamped to [1, m] and [0, m]), each stage's pair lowered until its memory
 * fits; the cheapest valid member is kept. ZB-H1 is tried first, as it is often optimal under p·M_B.
 */
final class TemplateSearch {
  private TemplateSearch() {}

  /**
   * The cheapest valid template, or null when no member fits in memory; stops early once one reaches
   * {@code lb} or the deadline passes.
   */
  static Incumbent best(Instance in, long lb, Deadline deadline) {
    int p = in.p;
    Incumbent best = zbH1(in);
    for (int a0 = 1; a0 <= Math.min(in.m, 2 * p + 1) && (best == null || best.cost() > lb && deadline.left() > 0);
        a0++) {
      for (int alpha = 0; alpha <= 2; alpha++) {
        for (int d0 = 0; d0 <= p; d0 += Math.max(1, p / 8)) {
          for (int beta = 0; beta <= 1; beta++) {
            int[][] order = orders(in, a0, alpha, d0, beta);
            Incumbent c = order == null ? null : Incumbent.of(order, in);
            if (c != null && (best == null || c.betterThan(best))) {
              best = c;
            }
          }
        }
      }
    }
    return best;
  }

  /** ZB-H1 (a_i = p − i, d_i = i), lowered stage by stage until it fits; null when nothing fits. */
  static Incumbent zbH1(Instance in) {
    int[][] order = orders(in, in.p, 1, 0, 1);
    return order == null ? null : Incumbent.of(order, in);
  }

  private static int[][] orders(Instance in, int a0, int alpha, int d0, int beta) {
    int[][] order = new int[in.p][];
    for (int i = 0; i < in.p; i++) {
      int a = Math.max(1, Math.min(in.m, a0 - alpha * i));
      int d = Math.max(0, Math.min(in.m, d0 + beta * i));
      order[i] = null;
      while (order[i] == null && a >= 1) {
        int[] o = stage(in, i, a, d);
        if (fits(in, o)) {
          order[i] = o;
        } else if (d > 0) {
          d--;
        } else {
          a--;
        }
      }
      if (order[i] == null) {
        return null;
      }
    }
    return order;
  }

  static int[] stage(Instance in, int i, int a, int d) {
    int[] o = new int[3 * in.m];
    int n = 0;
    for (int f = 0; f < a; f++) {
      o[n++] = in.id(i, Instance.F, f);
    }
    int w = 0;
    for (int k = 0; k < in.m; k++) {
      o[n++] = in.id(i, Instance.B, k);
      if (k >= d) {
        o[n++] = in.id(i, Instance.W, w++);
      }
      if (k + a < in.m) {
        o[n++] = in.id(i, Instance.F, k + a);
      }
    }
    while (w < in.m) {
      o[n++] = in.id(i, Instance.W, w++);
    }
    return o;
  }

  static boolean fits(Instance in, int[] order) {
    if (!in.hasMemLimit) {
      return true;
    }
    long level = 0;
    for (int id : order) {
      level += in.mem(id);
      if (level > in.memLimit) {
        return false;
      }
    }
    return true;
  }
}
