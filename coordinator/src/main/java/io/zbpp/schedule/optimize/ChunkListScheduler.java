package io.zbpp.schedule.optimize;

import java.util.Arrays;

/**
 * The greedy list schedule of {@link ListScheduler} for v chunks per stage, a further warm start for
 * multi-chunk instances: in global time order, each stage, when free, runs a ready B (lowest microbatch
 * first, then highest chunk), else a ready F (the same order, or highest chunk first) if memory and its
 * in-flight cap allow — the cap counts microbatches on the stage between the F and the B of its lowest chunk,
 * or chunk microbatches between F and B, and the first F of a microbatch on a stage may reserve the memory of
 * its F's on the stage's higher chunks —
 * else a pending W (oldest B first), else waits for the next pass to end anywhere.
 */
final class ChunkListScheduler {
  private ChunkListScheduler() {}

  /**
   * The best greedy schedule over in-flight caps A − α·i (A = 1…2vp+1, α = 0, 1, 2), both F orders, both
   * cap kinds and with and without reservations (see {@link #schedule}); stops
   * early once a schedule reaches {@code lb} or the deadline passes.
   */
  static Incumbent best(Instance in, long lb, Deadline deadline) {
    Incumbent best = null;
    for (int a0 = 1; a0 <= 2 * in.v * in.p + 1 && (best == null || best.cost() > lb && deadline.left() > 0); a0++) {
      for (int alpha = 0; alpha <= 2; alpha++) {
        for (int mode = 0; mode < 8; mode++) {
          int[] cap = new int[in.p];
          for (int i = 0; i < in.p; i++) {
            cap[i] = Math.max(1, a0 - alpha * i);
          }
          Incumbent c = schedule(in, cap, (mode & 1) != 0, (mode & 2) != 0, (mode & 4) == 0);
          if (c != null && fits(in, c) && (best == null || c.betterThan(best))) {
            best = c;
          }
        }
      }
    }
    return best;
  }

  private static boolean fits(Instance in, Incumbent c) {
    for (int[] stage : c.order()) {
      if (!TemplateSearch.fits(in, stage)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The greedy orders, or null if they deadlock.
   *
   * @param deepFirst F's of the highest chunk first, else of the lowest microbatch first
   * @param chunkCap the cap counts chunk microbatches between F and B, else microbatches between the F and B
   *     of the stage's lowest chunk
   * @param reserve whether a microbatch's first F on a stage reserves memory for its F's on the stage's higher
   *     chunks (without, lower chunks' F's may fill the memory those need, and the schedule may deadlock)
   */
  static Incumbent schedule(Instance in, int[] cap, boolean deepFirst, boolean chunkCap, boolean reserve) {
    int p = in.p;
    long[] end = new long[in.passes()];
    Arrays.fill(end, -1);
    int[][] next = new int[in.chunks][3];
    long[] free = in.offset.clone();
    long[] level = new long[p];
    long[] reserved = new long[p];
    int[] inFlight = new int[p];
    int[][] order = new int[p][in.stagePasses()];
    int[] len = new int[p];
    long[] blockedAt = new long[p];
    Arrays.fill(blockedAt, -1);
    int done = 0;
    while (done < in.passes()) {
      int s = earliest(in, free, len, blockedAt);
      if (s < 0) {
        // Every unfinished stage is blocked at its free time: nothing changes before the next event.
        long t = Long.MAX_VALUE;
        for (int q = 0; q < p; q++) {
          if (len[q] < in.stagePasses()) {
            t = Math.min(t, Math.min(nextEvent(free, free[q]), knownReady(in, q, free[q], next, end)));
          }
        }
        if (t == Long.MAX_VALUE) {
          return null;
        }
        for (int q = 0; q < p; q++) {
          free[q] = len[q] < in.stagePasses() ? Math.max(free[q], t) : free[q];
        }
        Arrays.fill(blockedAt, -1);
        continue;
      }
      int id = choose(in, s, free[s], next, level[s] + reserved[s], inFlight[s], end, cap[s], deepFirst,
          chunkCap, reserve);
      if (id < 0) {
        blockedAt[s] = free[s];
        continue;
      }
      Arrays.fill(blockedAt, -1);
      int d = in.dagPred(id);
      long start = Math.max(free[s], d >= 0 ? end[d] + in.dagLag(id) : 0);
      end[id] = start + in.dur(id);
      free[s] = end[id];
      level[s] += in.mem(id);
      int kind = in.kindOf(id);
      if (kind == Instance.F && reserve) {
        reserved[s] += reservation(in, id, s);
      }
      if (chunkCap || in.chunkOf(id) == in.chunksOf(s)[0]) {
        inFlight[s] += kind == Instance.F ? 1 : kind == Instance.B ? -1 : 0;
      }
      next[in.chunkOf(id)][kind]++;
      order[s][len[s]++] = id;
      done++;
    }
    return Incumbent.of(order, in);
  }

  /**
   * How an F changes its stage's reservation: the first F of a microbatch on a stage reserves the memory of
   * that microbatch's F's on the stage's higher chunks; each of those then uses its share. Without it, F's of
   * a lower chunk could fill memory that the higher chunk's F, which every B of the microbatch waits for,
   * needs.
   */
  private static long reservation(Instance in, int id, int s) {
    int[] chunks = in.chunksOf(s);
    int c = in.chunkOf(id);
    if (c != chunks[0]) {
      return -Math.max(0, in.mem(id));
    }
    long r = 0;
    for (int k = 1; k < chunks.length; k++) {
      r += Math.max(0, in.mem(in.id(chunks[k], Instance.F, in.mbOf(id))));
    }
    return r;
  }

  /** The unfinished stage free earliest, skipping those blocked at their free time (when given). */
  private static int earliest(Instance in, long[] free, int[] len, long[] blockedAt) {
    int best = -1;
    for (int s = 0; s < free.length; s++) {
      boolean blocked = blockedAt != null && blockedAt[s] == free[s];
      if (len[s] < in.stagePasses() && !blocked && (best < 0 || free[s] < free[best])) {
        best = s;
      }
    }
    return best;
  }

  /** The pass stage s runs at time t, or −1 when it must wait. */
  private static int choose(Instance in, int s, long t, int[][] next, long level, int inFlight, long[] end,
      int cap, boolean deepFirst, boolean chunkCap, boolean reserve) {
    int b = pick(in, s, t, next, end, Instance.B, false, level, false, false, false);
    if (b >= 0) {
      return b;
    }
    int f = pick(in, s, t, next, end, Instance.F, deepFirst, level, inFlight < cap, chunkCap, reserve);
    if (f >= 0) {
      return f;
    }
    int w = -1;
    for (int c : in.chunksOf(s)) {
      if (next[c][Instance.W] < next[c][Instance.B]) {
        int id = in.id(c, Instance.W, next[c][Instance.W]);
        if (level + in.mem(id) > in.memLimit) {
          continue;
        }
        if (w < 0 || end[in.dagPred(id)] < end[in.dagPred(w)]) {
          w = id;
        }
      }
    }
    return w;
  }

  /**
   * The next pass of a kind that is ready at t and fits in memory: lowest microbatch, then highest chunk (or,
   * deep first, highest chunk); an F that the cap counts only when the cap allows.
   */
  private static int pick(Instance in, int s, long t, int[][] next, long[] end, int kind, boolean deepFirst,
      long level, boolean mayEnter, boolean chunkCap, boolean reserve) {
    int best = -1;
    for (int c : in.chunksOf(s)) {
      int j = next[c][kind];
      if (j >= in.m || kind == Instance.B && j >= next[c][Instance.F]
          || kind == Instance.F && (chunkCap || c == in.chunksOf(s)[0]) && !mayEnter) {
        continue;
      }
      int id = in.id(c, kind, j);
      long need = kind == Instance.F && reserve ? in.mem(id) + reservation(in, id, s) : in.mem(id);
      if (!ready(in, id, t, end) || level + need > in.memLimit) {
        continue;
      }
      if (best < 0 || (deepFirst ? c > in.chunkOf(best) : j < in.mbOf(best) || j == in.mbOf(best)
          && c > in.chunkOf(best))) {
        best = id;
      }
    }
    return best;
  }

  private static boolean ready(Instance in, int id, long t, long[] end) {
    int d = in.dagPred(id);
    return d < 0 || (end[d] >= 0 && end[d] + in.dagLag(id) <= t);
  }

  /** The earliest time after t at which one of stage s's next B's or F's becomes ready. */
  private static long knownReady(Instance in, int s, long t, int[][] next, long[] end) {
    long best = Long.MAX_VALUE;
    for (int c : in.chunksOf(s)) {
      for (int kind : new int[] {Instance.F, Instance.B}) {
        if (next[c][kind] < in.m) {
          int id = in.id(c, kind, next[c][kind]);
          int d = in.dagPred(id);
          if (d >= 0 && end[d] >= 0 && end[d] + in.dagLag(id) > t) {
            best = Math.min(best, end[d] + in.dagLag(id));
          }
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
