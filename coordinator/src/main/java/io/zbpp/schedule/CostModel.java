package io.zbpp.schedule;

import java.util.Arrays;

/**
 * The one cost model shared by the algorithms, the optimizer, the simulator and the runtime (docs/design.md "Conventions"):
 * per-stage pass times T_F, T_B, T_W, the communication time T_comm on every cross-stage edge, per-stage
 * memory deltas ΔM(F), ΔM(B), ΔM(W) (docs/design.md §2) and a per-stage memory limit.
 *
 * <p>Times and memory are per stage for the whole stage; a stage holding v chunks spends T/v per chunk pass
 * and ΔM/v per chunk pass. Memory is in any unit as long as the limit uses the same one (bytes in the CLI).
 * An unlimited model has {@code memLimit = +∞}. Immutable; equality is by value.
 */
public final class CostModel {
  private final double[] tf;
  private final double[] tb;
  private final double[] tw;
  private final double comm;
  private final double[] memF;
  private final double[] memB;
  private final double[] memW;
  private final double memLimit;

  private CostModel(double[] tf, double[] tb, double[] tw, double comm, double[] memF, double[] memB,
      double[] memW, double memLimit) {
    int p = tf.length;
    if (p < 1) {
      throw new IllegalArgumentException("stages [" + p + "]: must be at least 1");
    }
    check("cost-f", tf, p, true);
    check("cost-b", tb, p, true);
    check("cost-w", tw, p, true);
    check("mem-f", memF, p, false);
    check("mem-b", memB, p, false);
    check("mem-w", memW, p, false);
    if (!(comm >= 0) || Double.isInfinite(comm)) {
      throw new IllegalArgumentException("cost-comm [" + comm + "]: must be a finite number >= 0");
    }
    if (!(memLimit > 0)) {
      throw new IllegalArgumentException("memLimit [" + memLimit + "]: must be positive");
    }
    this.tf = tf.clone();
    this.tb = tb.clone();
    this.tw = tw.clone();
    this.comm = comm;
    this.memF = memF.clone();
    this.memB = memB.clone();
    this.memW = memW.clone();
    this.memLimit = memLimit;
  }

  private static void check(String name, double[] v, int p, boolean time) {
    if (v.length != p) {
      throw new IllegalArgumentException(
          name + " has " + v.length + " values for " + p + " stages: give one value or one per stage");
    }
    for (int i = 0; i < v.length; i++) {
      if (Double.isNaN(v[i]) || Double.isInfinite(v[i]) || (time && v[i] < 0)) {
        throw new IllegalArgumentException(
            name + " [" + v[i] + "] at stage " + i + ": must be a finite number" + (time ? " >= 0" : ""));
      }
    }
  }

  /**
   * Equal costs on every stage, unlimited memory, and the default memory deltas ΔM(F)=1, ΔM(B)=0,
   * ΔM(W)=−1 (W frees what F allocated; B frees nothing — the pessimistic split).
   */
  public static CostModel uniform(int stages, double tf, double tb, double tw, double comm) {
    return builder(stages).times(tf, tb, tw).comm(comm).build();
  }

  public static Builder builder(int stages) {
    return new Builder(stages);
  }

  public Builder toBuilder() {
    Builder b = new Builder(stages());
    b.tf = tf.clone();
    b.tb = tb.clone();
    b.tw = tw.clone();
    b.comm = comm;
    b.memF = memF.clone();
    b.memB = memB.clone();
    b.memW = memW.clone();
    b.memLimit = memLimit;
    return b;
  }

  /** The same model under another memory limit. */
  public CostModel withMemLimit(double limit) {
    return toBuilder().memLimit(limit).build();
  }

  public int stages() {
    return tf.length;
  }

  public double tf(int stage) {
    return tf[stage];
  }

  public double tb(int stage) {
    return tb[stage];
  }

  public double tw(int stage) {
    return tw[stage];
  }

  public double comm() {
    return comm;
  }

  public double memF(int stage) {
    return memF[stage];
  }

  public double memB(int stage) {
    return memB[stage];
  }

  public double memW(int stage) {
    return memW[stage];
  }

  public double memLimit() {
    return memLimit;
  }

  public boolean hasMemLimit() {
    return memLimit != Double.POSITIVE_INFINITY;
  }

  /** Time of a whole-stage pass (divide by v for one chunk's pass). */
  public double time(Op op, int stage) {
    return switch (op) {
      case F -> tf[stage];
      case B -> tb[stage];
      case W -> tw[stage];
      case BW -> tb[stage] + tw[stage];
    };
  }

  /** Memory delta of a whole-stage pass (divide by v for one chunk's pass). */
  public double mem(Op op, int stage) {
    return switch (op) {
      case F -> memF[stage];
      case B -> memB[stage];
      case W -> memW[stage];
      case BW -> memB[stage] + memW[stage];
    };
  }

  /** T_F + T_B + T_W of a stage: the work of one microbatch. */
  public double work(int stage) {
    return tf[stage] + tb[stage] + tw[stage];
  }

  /** The largest per-microbatch work over stages; with equal costs this is T_F + T_B + T_W. */
  public double maxWork() {
    double w = 0;
    for (int s = 0; s < stages(); s++) {
      w = Math.max(w, work(s));
    }
    return w;
  }

  /** Whether every stage has the same times and memory deltas. */
  public boolean isUniform() {
    return allEqual(tf) && allEqual(tb) && allEqual(tw) && allEqual(memF) && allEqual(memB) && allEqual(memW);
  }

  private static boolean allEqual(double[] v) {
    for (double x : v) {
      if (x != v[0]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CostModel c && Arrays.equals(tf, c.tf) && Arrays.equals(tb, c.tb)
        && Arrays.equals(tw, c.tw) && comm == c.comm && Arrays.equals(memF, c.memF)
        && Arrays.equals(memB, c.memB) && Arrays.equals(memW, c.memW) && memLimit == c.memLimit;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(tf) * 31 + Arrays.hashCode(tb) * 17 + Arrays.hashCode(tw) + Double.hashCode(comm);
  }

  @Override
  public String toString() {
    return "CostModel{tf=" + Arrays.toString(tf) + ", tb=" + Arrays.toString(tb) + ", tw=" + Arrays.toString(tw)
        + ", comm=" + comm + ", memF=" + Arrays.toString(memF) + ", memB=" + Arrays.toString(memB)
        + ", memW=" + Arrays.toString(memW) + ", memLimit=" + memLimit + "}";
  }

  /** Builds a cost model; every per-stage setter takes one value for all stages or one per stage. */
  public static final class Builder {
    private final int stages;
    private double[] tf;
    private double[] tb;
    private double[] tw;
    private double comm;
    private double[] memF;
    private double[] memB;
    private double[] memW;
    private double memLimit = Double.POSITIVE_INFINITY;

    private Builder(int stages) {
      if (stages < 1) {
        throw new IllegalArgumentException("stages [" + stages + "]: must be at least 1");
      }
      this.stages = stages;
      this.tf = fill(1);
      this.tb = fill(1);
      this.tw = fill(1);
      this.memF = fill(1);
      this.memB = fill(0);
      this.memW = fill(-1);
    }

    private double[] fill(double v) {
      double[] a = new double[stages];
      Arrays.fill(a, v);
      return a;
    }

    private double[] spread(double[] v) {
      return v.length == 1 ? fill(v[0]) : v.clone();
    }

    public Builder times(double f, double b, double w) {
      return tf(f).tb(b).tw(w);
    }

    public Builder tf(double... v) {
      tf = spread(v);
      return this;
    }

    public Builder tb(double... v) {
      tb = spread(v);
      return this;
    }

    public Builder tw(double... v) {
      tw = spread(v);
      return this;
    }

    public Builder comm(double v) {
      comm = v;
      return this;
    }

    /** Memory deltas, one value for all stages each. */
    public Builder mem(double f, double b, double w) {
      return memF(f).memB(b).memW(w);
    }

    public Builder memF(double... v) {
      memF = spread(v);
      return this;
    }

    public Builder memB(double... v) {
      memB = spread(v);
      return this;
    }

    public Builder memW(double... v) {
      memW = spread(v);
      return this;
    }

    /** The per-stage memory limit; {@code +∞} for none. */
    public Builder memLimit(double v) {
      memLimit = v;
      return this;
    }

    public CostModel build() {
      return new CostModel(tf, tb, tw, comm, memF, memB, memW, memLimit);
    }
  }
}
