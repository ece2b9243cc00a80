package io.zbpp.runtime;

import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.PassRecord;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.StageTrace;
import io.zbpp.schedule.CostModel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Robust estimates of what a job's passes really cost, formed by the coordinator from the stage reports: per
 * stage and chunk the mean F, B and W time of each iteration, and of those the median over a sliding window
 * of the last {@code window} iterations; the first iteration is left out (class loading, JIT, first
 * allocations). A stage's T_F (T_B, T_W) is the sum of its chunks' medians, the unit of the cost model's
 * per-stage times when a stage holds v chunks. Fused BW passes are not split and not counted.
 *
 * <p>Also per stage the largest peak memory in the window, and per edge (chunk c to chunk c + 1) the
 * communication time: per iteration the smallest gap between the end of a microbatch's F on chunk c and the
 * start of its F on chunk c + 1 (the wait of a receiver that was idle), median over the window. That gap
 * compares timestamps of two stages, so it is only meaningful where they share a clock (stages in one JVM);
 * across processes it is not used.
 *
 * <p>Times are in milliseconds. Not thread-safe: the coordinator feeds it from its actor.
 */
public final class CostEstimates {
  /**
   * Iterations in the window when none is given: 5, so that a lasting change moves the medians after 3
   * iterations, while 2 odd ones do not.
   */
  public static final int DEFAULT_WINDOW = 5;

  private final int stages;
  private final int window;
  private final Map<Key, ArrayDeque<Double>> passes = new HashMap<>();
  private final Map<Integer, ArrayDeque<Double>> comm = new HashMap<>();
  private final ArrayDeque<long[]> peaks = new ArrayDeque<>();
  private int seen;

  private record Key(int stage, int chunk, ProgramOp op) {}

  public CostEstimates(int stages, int window) {
    if (stages < 1 || window < 1) {
      throw new IllegalArgumentException("estimates of " + stages + " stages over " + window
          + " iterations: expected both >= 1");
    }
    this.stages = stages;
    this.window = window;
  }

  /** Adds a completed iteration; the first one added is left out. */
  public void add(IterationResult r) {
    if (seen++ == 0) {
      return;
    }
    long[] peak = new long[stages];
    Map<Key, double[]> sums = new HashMap<>();
    Map<Integer, Map<Integer, PassRecord>> forwards = new TreeMap<>();
    for (StageTrace t : r.stages()) {
      peak[t.stage()] = t.peakBytes();
      for (PassRecord p : t.passes()) {
        if (p.op() == ProgramOp.F || p.op() == ProgramOp.B || p.op() == ProgramOp.W) {
          double[] s = sums.computeIfAbsent(new Key(t.stage(), p.chunk(), p.op()), k -> new double[2]);
          s[0] += p.nanos() / 1e6;
          s[1]++;
        }
        if (p.op() == ProgramOp.F) {
          forwards.computeIfAbsent(p.chunk(), c -> new HashMap<>()).put(p.microbatch(), p);
        }
      }
    }
    sums.forEach((k, s) -> push(passes.computeIfAbsent(k, x -> new ArrayDeque<>()), s[0] / s[1]));
    forwards.forEach((chunk, from) -> {
      Map<Integer, PassRecord> to = forwards.get(chunk + 1);
      if (to == null) {
        return;
      }
      long gap = Long.MAX_VALUE;
      for (Map.Entry<Integer, PassRecord> e : from.entrySet()) {
        PassRecord next = to.get(e.getKey());
        if (next != null) {
          gap = Math.min(gap, Math.max(0, next.startNanos() - e.getValue().endNanos()));
        }
      }
      if (gap != Long.MAX_VALUE) {
        push(comm.computeIfAbsent(chunk, x -> new ArrayDeque<>()), gap / 1e6);
      }
    });
    peaks.addLast(peak);
    if (peaks.size() > window) {
      peaks.removeFirst();
    }
  }

  private void push(ArrayDeque<Double> q, double v) {
    q.addLast(v);
    if (q.size() > window) {
      q.removeFirst();
    }
  }

  /** Iterations in the estimates so far (the first one not counted). */
  public int samples() {
    return Math.max(0, seen - 1);
  }

  /** How many iterations the medians are taken over. */
  public int window() {
    return window;
  }

  /**
   * Forgets every sample (after a plan swap: the new plan's iterations are measured afresh); the next
   * iteration added is left out, as the first one is.
   */
  public void restart() {
    passes.clear();
    comm.clear();
    peaks.clear();
    seen = 0;
  }

  /** Whether every stage's F, B and W were measured (a fused BW is neither). */
  public boolean measuredAll() {
    for (int s = 0; s < stages; s++) {
      for (ProgramOp op : List.of(ProgramOp.F, ProgramOp.B, ProgramOp.W)) {
        if (stageTime(s, op).isEmpty()) {
          return false;
        }
      }
    }
    return true;
  }

  /** The median time of {@code op} on one chunk of a stage, ms; empty: not measured. */
  public OptionalDouble chunkTime(int stage, int chunk, ProgramOp op) {
    ArrayDeque<Double> q = passes.get(new Key(stage, chunk, op));
    return q == null || q.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(median(q));
  }

  /** Whether any edge's communication time was measured. */
  public boolean hasComm() {
    return !comm.isEmpty();
  }

  /** The stage's time of {@code op} (F, B or W) per microbatch in ms: its chunks' medians summed; empty: none yet. */
  public OptionalDouble stageTime(int stage, ProgramOp op) {
    double sum = 0;
    boolean any = false;
    for (Map.Entry<Key, ArrayDeque<Double>> e : passes.entrySet()) {
      if (e.getKey().stage() == stage && e.getKey().op() == op) {
        sum += median(e.getValue());
        any = true;
      }
    }
    return any ? OptionalDouble.of(sum) : OptionalDouble.empty();
  }

  /** The median communication time from chunk {@code chunk} to the next, ms; empty: never measured. */
  public OptionalDouble comm(int chunk) {
    ArrayDeque<Double> q = comm.get(chunk);
    return q == null || q.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(median(q));
  }

  /** The largest peak memory of the stage in the window, bytes; 0 before the first sample. */
  public long peakBytes(int stage) {
    return peaks.stream().mapToLong(p -> p[stage]).max().orElse(0);
  }

  /**
   * {@code base} with the measured T_F, T_B, T_W of every stage where all three are measured (the others keep
   * the base's), and T_comm the largest measured edge time when {@code withComm}; memory deltas and limit
   * unchanged.
   */
  public CostModel apply(CostModel base, boolean withComm) {
    double[] f = new double[stages];
    double[] b = new double[stages];
    double[] w = new double[stages];
    for (int s = 0; s < stages; s++) {
      OptionalDouble mf = stageTime(s, ProgramOp.F);
      OptionalDouble mb = stageTime(s, ProgramOp.B);
      OptionalDouble mw = stageTime(s, ProgramOp.W);
      boolean measured = mf.isPresent() && mb.isPresent() && mw.isPresent();
      f[s] = measured ? mf.getAsDouble() : base.tf(s);
      b[s] = measured ? mb.getAsDouble() : base.tb(s);
      w[s] = measured ? mw.getAsDouble() : base.tw(s);
    }
    CostModel.Builder out = base.toBuilder().tf(f).tb(b).tw(w);
    if (withComm && !comm.isEmpty()) {
      out.comm(comm.keySet().stream().mapToDouble(c -> comm(c).orElse(0)).max().orElse(base.comm()));
    }
    return out.build();
  }

  static double median(java.util.Collection<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** For tests and reports: the per-stage T_F, T_B, T_W in ms (NaN where not measured). */
  public List<double[]> perStage() {
    return java.util.stream.IntStream.range(0, stages).mapToObj(s -> new double[] {
        stageTime(s, ProgramOp.F).orElse(Double.NaN), stageTime(s, ProgramOp.B).orElse(Double.NaN),
        stageTime(s, ProgramOp.W).orElse(Double.NaN)}).toList();
  }
}
