package io.zbpp.schedule.optimize;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Op;

/**
 * A single-chunk scheduling instance in integral model units: durations, T_comm, memory deltas and the limit,
 * each stage's first-F offset, and the stated rounding error.
 *
 * <p>Passes are numbered {@code id = (stage·3 + kind)·m + microbatch} with kind 0 = F, 1 = B, 2 = W. Every
 * duration is at least one unit (a zero-time pass becomes one unit, counted in the rounding error) so that
 * passes of one stage start at distinct times and the memory reservoir sees them in plan order.
 *
 * <p>Memory is made integral exactly where possible (a power of ten up to 10⁶, then divided by the gcd of the
 * deltas, the limit rounded down to a multiple of it); otherwise it is rescaled so that the largest value is
 * 2⁴⁰ units, an error below 10⁻⁹ of the limit over a stage's passes — the {@link
 * io.zbpp.schedule.Validator}'s own tolerance.
 */
final class Instance {
  static final int F = 0;
  static final int B = 1;
  static final int W = 2;

  final int p;
  final int m;
  final TimeScale scale;
  final long comm;
  final long[][] dur;
  final long[][] mem;
  final long memLimit;
  final boolean hasMemLimit;
  final long[] offset;
  /** Upper bound, in time units, on |model cost / scale − true cost| for any plan; 0 when exact. */
  final double roundingError;

  Instance(CostModel costs, int microbatches, TimeScale scale) {
    this.p = costs.stages();
    this.m = microbatches;
    this.scale = scale;
    this.comm = scale.units(costs.comm());
    this.dur = new long[p][3];
    double err = 0;
    for (int i = 0; i < p; i++) {
      for (int k = 0; k < 3; k++) {
        double exact = costs.time(op(k), i) * scale.unitsPerTime();
        dur[i][k] = Math.max(1, Math.round(exact));
        err += m * Math.abs(dur[i][k] - exact);
      }
    }
    err += 2.0 * (p - 1) * m * Math.abs(comm - costs.comm() * scale.unitsPerTime());
    this.roundingError = err < 1e-6 ? 0 : scale.time(2 * err);
    this.offset = new long[p];
    for (int i = 1; i < p; i++) {
      offset[i] = offset[i - 1] + dur[i - 1][F] + comm;
    }
    this.hasMemLimit = costs.hasMemLimit();
    this.mem = new long[p][3];
    this.memLimit = hasMemLimit ? scaleMemory(costs) : Long.MAX_VALUE;
  }

  static Op op(int kind) {
    return switch (kind) {
      case F -> Op.F;
      case B -> Op.B;
      default -> Op.W;
    };
  }

  static int kind(Op op) {
    return switch (op) {
      case F -> F;
      case B -> B;
      case W -> W;
      case BW -> throw new IllegalArgumentException("fused BW has no kind; split it first");
    };
  }

  private long scaleMemory(CostModel costs) {
    double s = memoryScale(costs);
    long g = 0;
    for (int i = 0; i < p; i++) {
      for (int k = 0; k < 3; k++) {
        mem[i][k] = Math.round(costs.mem(op(k), i) * s);
        g = gcd(g, Math.abs(mem[i][k]));
      }
    }
    long limit = (long) Math.floor(costs.memLimit() * s + 1e-6);
    if (g > 1) {
      for (long[] row : mem) {
        for (int k = 0; k < 3; k++) {
          row[k] /= g;
        }
      }
      limit = Math.floorDiv(limit, g);
    }
    return limit;
  }

  private double memoryScale(CostModel c) {
    double max = Math.abs(c.memLimit());
    for (int i = 0; i < p; i++) {
      max = Math.max(max, Math.max(Math.abs(c.memF(i)), Math.max(Math.abs(c.memB(i)), Math.abs(c.memW(i)))));
    }
    for (int k = 0; k <= 6; k++) {
      double s = Math.pow(10, k);
      if (max * s < 1e12 && memIntegral(c, s)) {
        return s;
      }
    }
    return Math.pow(2, 40) / max;
  }

  private boolean memIntegral(CostModel c, double s) {
    boolean ok = isInt(c.memLimit() * s);
    for (int i = 0; i < p && ok; i++) {
      ok = isInt(c.memF(i) * s) && isInt(c.memB(i) * s) && isInt(c.memW(i) * s);
    }
    return ok;
  }

  private static boolean isInt(double x) {
    return Math.abs(x - Math.rint(x)) <= 1e-6;
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  int passes() {
    return 3 * p * m;
  }

  int id(int stage, int kind, int mb) {
    return (stage * 3 + kind) * m + mb;
  }

  int stageOf(int id) {
    return id / (3 * m);
  }

  int kindOf(int id) {
    return (id / m) % 3;
  }

  int mbOf(int id) {
    return id % m;
  }

  long dur(int id) {
    return dur[stageOf(id)][kindOf(id)];
  }

  long mem(int id) {
    return mem[stageOf(id)][kindOf(id)];
  }

  /** The last pass of every stage's span in any valid plan: W of the last microbatch. */
  int last(int stage) {
    return id(stage, W, m - 1);
  }

  /**
   * The DAG predecessor of a pass on another stage or kind (not the same-kind chain), or −1: F(i−1,j) for
   * F(i,j); B(i+1,j), or F(p−1,j) on the last stage, for B(i,j); B(i,j) for W(i,j).
   */
  int dagPred(int id) {
    int i = stageOf(id);
    int j = mbOf(id);
    return switch (kindOf(id)) {
      case F -> i == 0 ? -1 : id(i - 1, F, j);
      case B -> i == p - 1 ? id(i, F, j) : id(i + 1, B, j);
      default -> id(i, B, j);
    };
  }

  /** The lag added after the DAG predecessor's end: T_comm on cross-stage edges. */
  long dagLag(int id) {
    int pred = dagPred(id);
    return pred >= 0 && stageOf(pred) != stageOf(id) ? comm : 0;
  }

  /** The previous pass of the same kind on the same stage, or −1. */
  int chainPred(int id) {
    return mbOf(id) == 0 ? -1 : id - 1;
  }
}
