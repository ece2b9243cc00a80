package io.zbpp.runtime;

import io.zbpp.protocol.msg.ResolvedJob;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.render.Fmt;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds a job's cost model (docs/design.md "Conventions": one cost model): from profiled times when the spec has them, else estimated from
 * the model shape — per layer T_F ∝ forward FLOPs 24·b·s·h² + 4·b·s²·h (in GFLOP), T_B = T_F, T_W = T_F/2
 * (the paper's profiles show B ≈ F and W ≈ F/2, docs/design.md §7) — and, with no model shape either, unit times.
 * Memory deltas follow docs/design.md §2 per layer: ΔM(F) = s·b·(34h + 5a·s), ΔM(W) = −32·s·b·h,
 * ΔM(B) = −(ΔM(F) + ΔM(W)), times the layers of one stage (L / p); without a shape they are 1, 0, −1.
 * Each non-empty {@code memF}/{@code memB}/{@code memW} list of the spec (one value for every stage, or one
 * per stage) replaces that pass's delta. The memory limit is {@code memLimit} when given, else {@code memLimitFactor}·p·ΔM(F) of stage 0 (the
 * unit of ZB-1p and ZB-2p), else none.
 */
public final class CostModels {
  private CostModels() {}

  public static CostModel of(ResolvedJob spec) {
    int p = spec.stages();
    ModelShape m = spec.model();
    CostModel.Builder b = CostModel.builder(p).comm(spec.costComm());
    boolean shaped = m.layers() > 0 && m.hidden() > 0 && m.heads() > 0 && m.sequenceLength() > 0
        && m.microbatchSize() > 0;
    double layers = shaped ? (double) m.layers() / p : 1;
    if (spec.hasProfiledTimes()) {
      b.tf(perStage("costF", spec.costF(), p)).tb(perStage("costB", spec.costB(), p))
          .tw(perStage("costW", spec.costW(), p));
    } else if (shaped) {
      double sb = (double) m.sequenceLength() * m.microbatchSize();
      double flops = layers * (24 * sb * m.hidden() * (double) m.hidden() + 4 * sb * m.sequenceLength() * m.hidden());
      b.times(flops / 1e9, flops / 1e9, flops / 2e9);
    }
    if (shaped) {
      double sb = (double) m.sequenceLength() * m.microbatchSize();
      double memF = layers * sb * (34.0 * m.hidden() + 5.0 * m.heads() * m.sequenceLength());
      double memW = -layers * sb * 32.0 * m.hidden();
      b.mem(memF, -(memF + memW), memW);
    }
    if (!spec.memF().isEmpty()) {
      b.memF(perStage("memF", spec.memF(), p));
    }
    if (!spec.memB().isEmpty()) {
      b.memB(perStage("memB", spec.memB(), p));
    }
    if (!spec.memW().isEmpty()) {
      b.memW(perStage("memW", spec.memW(), p));
    }
    CostModel costs = b.build();
    return costs.withMemLimit(memLimit(costs, spec.memLimit(), spec.memLimitFactor()));
  }

  /**
   * The per-stage memory limit, the one rule for every planner ({@code zbpp schedule}'s options and a job spec):
   * {@code memLimit} when it is above 0, else {@code memLimitFactor}·p·ΔM(F) of stage 0 (K = 1 is 1F1B's peak,
   * the unit of ZB-1p and ZB-2p) when that is above 0, else none ({@code +∞}).
   */
  public static double memLimit(CostModel unlimited, double memLimit, double memLimitFactor) {
    if (memLimit > 0) {
      return memLimit;
    }
    if (memLimitFactor > 0) {
      return memLimitFactor * unlimited.stages() * unlimited.memF(0);
    }
    return Double.POSITIVE_INFINITY;
  }

  /** One value or {@code p}, else a one-line message naming the field. */
  private static double[] perStage(String option, List<Double> v, int p) {
    if (v.size() != 1 && v.size() != p) {
      throw new IllegalArgumentException(option + " [" + v.stream().map(Fmt::num).collect(Collectors.joining(","))
          + "]: " + v.size() + " values for " + p + " stages; expected one value or " + p + ", one per stage");
    }
    return values(v);
  }

  private static double[] values(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
