package io.zbpp.schedule.optimize;

/**
 * A greedy list schedule used as a further warm start: in global time order, each stage, when free, runs a
 * ready B, else a ready F if memory and its in-flight cap allow, else a pending W, else waits for the next pass
 * to end anywhere.
 * W's thus fill bubbles, as in ZB-H1/H2 (docs/design.md §3), and memory is respected by construction.
 */
final class ListScheduler {
  private ListScheduler() {}

  /**
   * The best greedy schedule over in-flight caps A − α·i (A = 1…2p+1, α = 0, 1, 2; see
   * {@link #schedule(Instance, int[])}), then improved by coordinate descent on single stages' caps (±1, ±2)
   * until a sweep finds nothing; stops early once a schedule reaches {@code lb} or the deadline passes.
   */
  static Incumbent best(Instance in, long lb, Deadline deadline) {
    Incumbent best = null;
    int[] bestCap = null;
    for (int a0 = 1; a0 <= 2 * in.p + 1 && (best == null || best.cost() > lb && deadline.left() > 0); a0++) {
      for (int alpha = 0; alpha <= 2; alpha++) {
        int[] cap = new int[in.p];
        for (int i = 0; i < in.p; i++) {
          cap[i] = Math.max(1, a0 - alpha * i);
        }
        Incumbent c = schedule(in, cap);
        if (c != null && (best == null || c.betterThan(best))) {
          best = c;
          bestCap = cap;
        }
      }
    }
    return best == null ? null : descend(in, best, bestCap, lb, deadline);
  }

  private static Incumbent descend(Instance in, Incumbent best, int[] cap, long lb, Deadline deadline) {
    boolean improved = true;
    while (improved && best.cost() > lb && deadline.left() > 0) {
      improved = false;
      for (int i = 0; i < in.p && deadline.left() > 0; i++) {
        for (int step : new int[] {-1, 1, -2, 2}) {
          int[] c = cap.clone();
          c[i] = Math.max(1, c[i] + step);
          Incumbent x = c[i] == cap[i] ? null : schedule(in, c);
          if (x != null && x.betterThan(best)) {
            best = x;
            cap = c;
            improved = true;
          }
        }
      }
    }
    return best;
  }

  /**
   * The greedy orders, or null if they deadlock (a memory limit below one F's activations). Stage i starts an F
   * only while fewer than cap[i] of its microbatches are between F and B.
   */
  static Incumbent schedule(Instance in, int[] cap) {
    int p = in.p;
    int m = in.m;
    long[] end = new long[in.passes()];
    java.util.Arrays.fill(end, -1);
    int[][] next = new int[p][3];
    long[] free = in.offset.clone();
    long[] level = new long[p];
    int[][] order = new int[p][3 * m];
    int[] len = new int[p];
    int done = 0;
    while (done < in.passes()) {
      int s = earliest(free, len, m);
      int id = choose(in, s, free[s], next[s], level[s], end, cap[s]);
      if (id < 0) {
        long t = Math.min(nextEvent(free, free[s]), knownReady(in, s, free[s], next[s], end));
        if (t == Long.MAX_VALUE) {
          return null;
        }
        free[s] = t;
        continue;
      }
      int d = in.dagPred(id);
      long start = Math.max(free[s], d >= 0 ? end[d] + in.dagLag(id) : 0);
      end[id] = start + in.dur(id);
      free[s] = end[id];
      level[s] += in.mem(id);
      next[s][in.kindOf(id)]++;
      order[s][len[s]++] = id;
      done++;
    }
    return Incumbent.of(order, in);
  }

  private static int earliest(long[] free, int[] len, int m) {
    int best = -1;
    for (int s = 0; s < free.length; s++) {
      if (len[s] < 3 * m && (best < 0 || free[s] < free[best])) {
        best = s;
      }
    }
    return best;
  }

  /** The pass stage s runs at time t, or −1 when it must wait. */
  private static int choose(Instance in, int s, long t, int[] next, long level, long[] end, int cap) {
    int b = next[Instance.B] < in.m ? in.id(s, Instance.B, next[Instance.B]) : -1;
    if (b >= 0 && ready(in, b, t, end) && level + in.mem(b) <= in.memLimit) {
      return b;
    }
    int f = next[Instance.F] < in.m ? in.id(s, Instance.F, next[Instance.F]) : -1;
    if (f >= 0 && ready(in, f, t, end) && level + in.mem(f) <= in.memLimit
        && next[Instance.F] - next[Instance.B] < cap) {
      return f;
    }
    if (next[Instance.W] < next[Instance.B]) {
      return in.id(s, Instance.W, next[Instance.W]);
    }
    return -1;
  }

  private static boolean ready(Instance in, int id, long t, long[] end) {
    int d = in.dagPred(id);
    return d < 0 || (end[d] >= 0 && end[d] + in.dagLag(id) <= t);
  }

  /** The earliest time after t at which stage s's next B or F becomes ready, where its dependency has run. */
  private static long knownReady(Instance in, int s, long t, int[] next, long[] end) {
    long best = Long.MAX_VALUE;
    for (int kind : new int[] {Instance.F, Instance.B}) {
      if (next[kind] < in.m) {
        int id = in.id(s, kind, next[kind]);
        int d = in.dagPred(id);
        if (d >= 0 && end[d] >= 0 && end[d] + in.dagLag(id) > t) {
          best = Math.min(best, end[d] + in.dagLag(id));
        }
      }
    }
    return best;
  }

  private static long nextEvent(long[] free, long t) {
    long best = Long.MAX_VALUE;
    for (long f : free) {
      if (f > t) {
        best = Math.min(best, f);
      }
    }
    return best;
  }
}
