package io.zbpp.schedule.auto;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Placement;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Validator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The plan the heuristic is building: each stage's passes so far, with the clocks, memory and bubble that the
 * heuristic's decisions read. Mutable and single-threaded: one search owns it and {@link #reset()}s it between
 * runs, so that eight runs allocate the O(p·m) buffers at most twice.
 *
 * <p>Invariant: every pass is appended only after the passes it depends on, so its end time is final when it
 * is appended. The timing repeats the {@link io.zbpp.schedule.Simulator}'s arithmetic operation for operation
 * (start = max(stage clock, dependency end + T_comm), end = start + T; span = last end − first start), so
 * {@link #cost()} is bit-for-bit the simulated cost of {@link #toPlan(String)}.
 */
final class PartialPlan {
  private final int p;
  private final int m;
  private final double[] time;
  private final double[] delta;
  private final double comm;
  private final double limit;
  private final int[] count;
  private final double[] clock;
  private final double[] firstStart;
  private final double[] mem;
  private final double[] bubble;
  private double maxBubble;
  private double peak;
  private final double[] endF;
  private final double[] endB;
  private final int[][] order;
  private final int[] length;

  PartialPlan(int p, int m, CostModel costs) {
    this.p = p;
    this.m = m;
    this.time = new double[3 * p];
    this.delta = new double[3 * p];
    for (Op op : List.of(Op.F, Op.B, Op.W)) {
      for (int s = 0; s < p; s++) {
        time[op.ordinal() * p + s] = costs.time(op, s);
        delta[op.ordinal() * p + s] = costs.mem(op, s);
      }
    }
    this.comm = costs.comm();
    this.limit = costs.memLimit() * (1 + Validator.MEMORY_TOLERANCE);
    this.count = new int[3 * p];
    this.clock = new double[p];
    this.firstStart = new double[p];
    this.mem = new double[p];
    this.bubble = new double[p];
    this.endF = new double[p * m];
    this.endB = new double[p * m];
    this.order = new int[p][3 * m];
    this.length = new int[p];
  }

  /** Empties the plan for another run on the same inputs, keeping its buffers. */
  PartialPlan reset() {
    Arrays.fill(count, 0);
    Arrays.fill(clock, 0);
    Arrays.fill(firstStart, 0);
    Arrays.fill(mem, 0);
    Arrays.fill(bubble, 0);
    Arrays.fill(length, 0);
    maxBubble = 0;
    peak = 0;
    return this;
  }

  int stages() {
    return p;
  }

  int microbatches() {
    return m;
  }

  double comm() {
    return comm;
  }

  /**
   * The memory limit with the {@link Validator}'s relative slack, so that deltas which cancel only up to
   * rounding (ΔM(F)+ΔM(B)+ΔM(W) = 1 ulp) neither drift a stage over the limit nor make a forward that fits
   * exactly look one ulp too big.
   */
  double limit() {
    return limit;
  }

  /** T of a pass kind on a stage. */
  double time(Op op, int s) {
    return time[op.ordinal() * p + s];
  }

  /** ΔM of a pass kind on a stage. */
  double delta(Op op, int s) {
    return delta[op.ordinal() * p + s];
  }

  /** How many passes of that kind the stage has so far; also the microbatch of its next one. */
  int count(Op op, int s) {
    return count[op.ordinal() * p + s];
  }

  /** Whether the stage has a B whose W has not run yet. */
  boolean hasPendingW(int s) {
    return count[2 * p + s] < count[p + s];
  }

  /** End of the stage's last pass (0 before its first). */
  double clock(int s) {
    return clock[s];
  }

  double memory(int s) {
    return mem[s];
  }

  /** Idle time of the stage between its first forward and its clock. */
  double bubble(int s) {
    return bubble[s];
  }

  /** The largest {@link #bubble(int)} over stages so far (0 at the start). */
  double maxBubble() {
    return maxBubble;
  }

  double endF(int s, int mb) {
    return endF[mb * p + s];
  }

  double endB(int s, int mb) {
    return endB[mb * p + s];
  }

  /** The largest running memory any stage has reached. */
  double peak() {
    return peak;
  }

  /**
   * Appends the stage's next pass of that kind (microbatch = {@link #count}) and times it. Its dependency
   * (F on the previous stage, B on the next stage) must already be appended.
   */
  void append(int s, Op op) {
    switch (op) {
      case F -> record(s, 0, s > 0 ? endF[count[s] * p + s - 1] + comm : Double.NEGATIVE_INFINITY);
      case B -> record(s, 1, s < p - 1 ? endB[count[p + s] * p + s + 1] + comm : Double.NEGATIVE_INFINITY);
      case W -> record(s, 2, Double.NEGATIVE_INFINITY);
      case BW -> throw new IllegalArgumentException("the zero-bubble heuristic splits every backward into B and W");
    }
  }

  /** Appends pass kind k (0 F, 1 B, 2 W) whose input is ready at {@code ready} (−∞: only the stage clock). */
  private void record(int s, int k, double ready) {
    int ks = k * p + s;
    int mb = count[ks];
    double dur = time[ks];
    double free = clock[s];
    double start = Math.max(free, ready);
    double end = start + dur;
    if (count[s] > 0) {
      bubble[s] += end - (free + dur);
      maxBubble = Math.max(maxBubble, bubble[s]);
    }
    if (length[s] == 0) {
      firstStart[s] = start;
    }
    if (k == 0) {
      endF[mb * p + s] = end;
    } else if (k == 1) {
      endB[mb * p + s] = end;
    }
    clock[s] = end;
    double now = mem[s] + delta[ks];
    mem[s] = now;
    peak = Math.max(peak, now);
    order[s][length[s]++] = mb << 2 | k;
    count[ks] = mb + 1;
  }

  /** The cost: the largest stage span, first start to last end. */
  double cost() {
    double c = 0;
    for (int s = 0; s < p; s++) {
      c = Math.max(c, clock[s] - firstStart[s]);
    }
    return c;
  }

  /** The passes so far as a single-chunk plan. */
  Plan toPlan(String name) {
    Op[] ops = Op.values();
    List<List<Instruction>> stages = new ArrayList<>(p);
    for (int s = 0; s < p; s++) {
      List<Instruction> l = new ArrayList<>(length[s]);
      for (int k = 0; k < length[s]; k++) {
        int code = order[s][k];
        l.add(Instruction.of(s, ops[code & 3], code >>> 2));
      }
      stages.add(l);
    }
    return new Plan(name, m, Placement.single(p), stages);
  }
}
