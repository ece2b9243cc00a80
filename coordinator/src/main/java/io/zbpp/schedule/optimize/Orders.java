package io.zbpp.schedule.optimize;

import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Plan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-stage pass orders as arrays of pass ids (see {@link Instance}), their conversion to and from {@link Plan},
 * and their as-soon-as-possible execution in integral model units — the same semantics as the
 * {@link io.zbpp.schedule.Simulator}, exact in {@code long}.
 */
final class Orders {
  private Orders() {}

  /** The orders of a plan; a fused BW becomes B then W (same memory peak, same or lower cost). */
  static int[][] of(Plan plan, Instance in) {
    int[][] order = new int[in.p][];
    for (int s = 0; s < in.p; s++) {
      List<Integer> ids = new ArrayList<>();
      for (Instruction x : plan.stage(s)) {
        if (x.op() == Op.BW) {
          ids.add(in.id(x.chunk(), Instance.B, x.microbatch()));
          ids.add(in.id(x.chunk(), Instance.W, x.microbatch()));
        } else {
          ids.add(in.id(x.chunk(), Instance.kind(x.op()), x.microbatch()));
        }
      }
      order[s] = ids.stream().mapToInt(Integer::intValue).toArray();
    }
    return order;
  }

  static Plan toPlan(int[][] order, Instance in, String name) {
    List<List<Instruction>> stages = new ArrayList<>();
    for (int s = 0; s < in.p; s++) {
      List<Instruction> l = new ArrayList<>(order[s].length);
      for (int id : order[s]) {
        l.add(new Instruction(s, Instance.op(in.kindOf(id)), in.mbOf(id), in.chunkOf(id)));
      }
      stages.add(l);
    }
    return new Plan(name, in.m, in.placement, stages);
  }

  /**
   * Start times of every pass when each stage runs its order as soon as dependencies allow, or null on
   * deadlock.
   */
  static long[] asap(int[][] order, Instance in) {
    long[] start = new long[in.passes()];
    long[] end = new long[in.passes()];
    Arrays.fill(end, -1);
    int[] ptr = new int[in.p];
    long[] free = new long[in.p];
    int done = 0;
    while (done < in.passes()) {
      int before = done;
      for (int s = 0; s < in.p; s++) {
        while (ptr[s] < order[s].length) {
          int id = order[s][ptr[s]];
          int d = in.dagPred(id);
          if (d >= 0 && end[d] < 0) {
            break;
          }
          long t = Math.max(free[s], d >= 0 ? end[d] + in.dagLag(id) : 0);
          start[id] = t;
          end[id] = t + in.dur(id);
          free[s] = end[id];
          ptr[s]++;
          done++;
        }
      }
      if (done == before) {
        return null;
      }
    }
    return start;
  }

  /** The cost in model units: the largest span, first pass's start to last pass's end. */
  static long cost(int[][] order, long[] start, Instance in) {
    long c = 0;
    for (int s = 0; s < in.p; s++) {
      int first = order[s][0];
      int last = order[s][order[s].length - 1];
      c = Math.max(c, start[last] + in.dur(last) - start[first]);
    }
    return c;
  }

  /** Sum over stages of each span's end, a tie-breaker that rewards slack on non-critical stages. */
  static long sumOfEnds(int[][] order, long[] start, Instance in) {
    long sum = 0;
    for (int s = 0; s < in.p; s++) {
      int last = order[s][order[s].length - 1];
      sum += start[last] + in.dur(last) - in.offset[s];
    }
    return sum;
  }

  /** Orders sorted by start time, stage by stage, from a solution's start times. */
  static int[][] byStart(long[] start, Instance in) {
    int[][] order = new int[in.p][];
    for (int s = 0; s < in.p; s++) {
      Integer[] ids = Arrays.stream(in.stageIds(s)).boxed().toArray(Integer[]::new);
      Arrays.sort(ids, (a, b) -> Long.compare(start[a], start[b]));
      order[s] = Arrays.stream(ids).mapToInt(Integer::intValue).toArray();
    }
    return order;
  }

  static int[][] copy(int[][] order) {
    int[][] c = new int[order.length][];
    for (int s = 0; s < order.length; s++) {
      c[s] = order[s].clone();
    }
    return c;
  }
}
