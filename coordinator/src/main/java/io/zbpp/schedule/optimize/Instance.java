package io.zbpp.schedule.optimize;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Placement;

/**
 * A scheduling instance in integral model units: v chunks per stage on a given placement, per-chunk pass
 * durations, T_comm, memory deltas and the limit, each stage's first-F offset, and the stated rounding error.
 *
 * <p>Passes are numbered {@code id = (chunk·3 + kind)·m + microbatch} with kind 0 = F, 1 = B, 2 = W; in a
 * single-chunk instance chunk i is stage i, so ids are {@code (stage·3 + kind)·m + microbatch}. A chunk pass
 * takes its stage's time divided by v and changes memory by the stage's delta divided by v, as in the
 * {@link io.zbpp.schedule.Simulator}. Every duration is at least one unit (a zero-time pass becomes one unit,
 * counted in the rounding error) so that passes of one stage start at distinct times and the memory reservoir
 * sees them in plan order.
 *
 * <p>Dependencies follow the chunk order: F(c,j) after F(c−1,j); B(c,j) after B(c+1,j), or after F(c,j) on the
 * last chunk; W(c,j) after B(c,j); T_comm only where the two chunks sit on different stages. The first p
 * chunks must sit on distinct stages (true of single-chunk, interleaved and V placements): then stage s's
 * first pass in any plan is F of its lowest chunk for microbatch 0 and its as-soon-as-possible start is a
 * constant, the stage's offset.
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
  /** Chunks per stage. */
  final int v;
  /** All chunks, p·v. */
  final int chunks;
  final Placement placement;
  final TimeScale scale;
  final long comm;
  /** Per chunk and kind: the chunk pass's duration (units). */
  final long[][] dur;
  /** Per chunk and kind: the chunk pass's memory delta (units). */
  final long[][] mem;
  final long memLimit;
  final boolean hasMemLimit;
  /** Per stage: the start of its first pass in every as-soon-as-possible execution. */
  final long[] offset;
  /** Upper bound, in time units, on |model cost / scale − true cost| for any plan; 0 when exact. */
  final double roundingError;
  private final int[][] stageChunks;

  Instance(CostModel costs, int microbatches, TimeScale scale) {
    this(costs, Placement.single(costs.stages()), microbatches, scale);
  }

  Instance(CostModel costs, Placement placement, int microbatches, TimeScale scale) {
    this.p = costs.stages();
    this.m = microbatches;
    this.placement = placement;
    this.v = placement.chunksPerStage();
    this.chunks = placement.chunks();
    this.scale = scale;
    if (placement.stages() != p) {
      throw new IllegalArgumentException("stages [" + placement.stages() + "]: the placement must have the cost "
          + "model's " + p);
    }
    this.stageChunks = new int[p][v];
    int[] n = new int[p];
    for (int c = 0; c < chunks; c++) {
      int s = placement.stageOf(c);
      stageChunks[s][n[s]++] = c;
      if (c < p && n[s] > 1) {
        throw new IllegalArgumentException("placement " + placement.chunkStage() + ": the optimizer needs the "
            + "first " + p + " chunks on distinct stages (as in single-chunk, interleaved and V placements)");
      }
    }
    this.comm = scale.units(costs.comm());
    this.dur = new long[chunks][3];
    double err = 0;
    for (int c = 0; c < chunks; c++) {
      for (int k = 0; k < 3; k++) {
        double exact = costs.time(op(k), placement.stageOf(c)) / v * scale.unitsPerTime();
        dur[c][k] = Math.max(1, Math.round(exact));
        err += m * Math.abs(dur[c][k] - exact);
      }
    }
    err += 2.0 * (chunks - 1) * m * Math.abs(comm - costs.comm() * scale.unitsPerTime());
    this.roundingError = err < 1e-6 ? 0 : scale.time(2 * err);
    this.offset = new long[p];
    for (int c = 1; c < p; c++) {
      offset[placement.stageOf(c)] = offset[placement.stageOf(c - 1)] + dur[c - 1][F] + comm;
    }
    this.hasMemLimit = costs.hasMemLimit();
    this.mem = new long[chunks][3];
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

  /** A chunk pass's memory delta in the cost model's unit. */
  private double chunkMem(CostModel costs, int c, int k) {
    return costs.mem(op(k), placement.stageOf(c)) / v;
  }

  private long scaleMemory(CostModel costs) {
    double s = memoryScale(costs);
    long g = 0;
    for (int c = 0; c < chunks; c++) {
      for (int k = 0; k < 3; k++) {
        mem[c][k] = Math.round(chunkMem(costs, c, k) * s);
        g = gcd(g, Math.abs(mem[c][k]));
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

  private double memoryScale(CostModel costs) {
    double max = Math.abs(costs.memLimit());
    for (int c = 0; c < chunks; c++) {
      for (int k = 0; k < 3; k++) {
        max = Math.max(max, Math.abs(chunkMem(costs, c, k)));
      }
    }
    for (int k = 0; k <= 6; k++) {
      double s = Math.pow(10, k);
      if (max * s < 1e12 && memIntegral(costs, s)) {
        return s;
      }
    }
    return Math.pow(2, 40) / max;
  }

  private boolean memIntegral(CostModel costs, double s) {
    boolean ok = isInt(costs.memLimit() * s);
    for (int c = 0; c < chunks && ok; c++) {
      for (int k = 0; k < 3; k++) {
        ok &= isInt(chunkMem(costs, c, k) * s);
      }
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
    return 3 * chunks * m;
  }

  /** Passes on one stage, 3·v·m. */
  int stagePasses() {
    return 3 * v * m;
  }

  /** The id of a chunk's pass; in a single-chunk instance the chunk is the stage. */
  int id(int chunk, int kind, int mb) {
    return (chunk * 3 + kind) * m + mb;
  }

  int chunkOf(int id) {
    return id / (3 * m);
  }

  int stageOf(int id) {
    return placement.stageOf(chunkOf(id));
  }

  int kindOf(int id) {
    return (id / m) % 3;
  }

  int mbOf(int id) {
    return id % m;
  }

  long dur(int id) {
    return dur[chunkOf(id)][kindOf(id)];
  }

  long mem(int id) {
    return mem[chunkOf(id)][kindOf(id)];
  }

  /** The chunks a stage holds, in model order. */
  int[] chunksOf(int stage) {
    return stageChunks[stage];
  }

  /** Every pass id of a stage: its chunks' F, B, W of every microbatch. */
  int[] stageIds(int stage) {
    int[] ids = new int[stagePasses()];
    int n = 0;
    for (int c : stageChunks[stage]) {
      for (int k = 0; k < 3 * m; k++) {
        ids[n++] = c * 3 * m + k;
      }
    }
    return ids;
  }

  /** The first pass of every stage's span in any valid plan: F of its lowest chunk, microbatch 0. */
  int first(int stage) {
    return id(stageChunks[stage][0], F, 0);
  }

  /**
   * The passes one of which ends every stage's span in any valid plan: W of the last microbatch of each of
   * its chunks.
   */
  int[] lasts(int stage) {
    int[] l = new int[v];
    for (int k = 0; k < v; k++) {
      l[k] = id(stageChunks[stage][k], W, m - 1);
    }
    return l;
  }

  /** The last pass of a single-chunk stage's span: W of the last microbatch. */
  int last(int stage) {
    return id(stageChunks[stage][v - 1], W, m - 1);
  }

  /**
   * The DAG predecessor of a pass on another chunk or kind (not the same-kind chain), or −1: F(c−1,j) for
   * F(c,j); B(c+1,j), or F(c,j) on the last chunk, for B(c,j); B(c,j) for W(c,j).
   */
  int dagPred(int id) {
    int c = chunkOf(id);
    int j = mbOf(id);
    return switch (kindOf(id)) {
      case F -> c == 0 ? -1 : id(c - 1, F, j);
      case B -> c == chunks - 1 ? id(c, F, j) : id(c + 1, B, j);
      default -> id(c, B, j);
    };
  }

  /** The lag added after the DAG predecessor's end: T_comm where the two chunks sit on different stages. */
  long dagLag(int id) {
    int pred = dagPred(id);
    return pred >= 0 && stageOf(pred) != stageOf(id) ? comm : 0;
  }

  /** The previous pass of the same kind and chunk, or −1. */
  int chainPred(int id) {
    return mbOf(id) == 0 ? -1 : id - 1;
  }
}
