package io.zbpp.cli;

import io.zbpp.runtime.CostModels;
import io.zbpp.schedule.CostModel;
import picocli.CommandLine.Option;

/**
 * The cost-model options shared by every command that plans (use with {@code @Mixin}): per-stage pass times,
 * communication time, per-stage memory deltas, a model preset for the deltas, and the memory limit. Parsing
 * is deferred to {@link #costModel(int)} because per-stage lists need the number of stages.
 *
 * <p>Defaults: T_F = T_B = T_W = 1, T_comm = 0; ΔM(F) = 1, ΔM(B) = 0, ΔM(W) = −1 (as
 * {@link CostModel.Builder}); no memory limit. {@code --model} replaces the default deltas, and each explicit
 * {@code --mem-*} replaces the preset's value for that pass.
 */
public final class CostOptions {
  /** The largest K of {@code --mem-limit-factor}: far above any peak a plan can reach (K = m/p holds GPipe). */
  static final double MAX_LIMIT_FACTOR = 1e6;

  @Option(names = "--cost-f", paramLabel = "TF", defaultValue = "1",
      description = "Forward time T_F: one value for every stage or a comma list, one per stage "
          + "(default: ${DEFAULT-VALUE}).")
  String costF;

  @Option(names = "--cost-b", paramLabel = "TB", defaultValue = "1",
      description = "Input-gradient backward time T_B, one value or one per stage (default: ${DEFAULT-VALUE}).")
  String costB;

  @Option(names = "--cost-w", paramLabel = "TW", defaultValue = "1",
      description = "Weight-gradient backward time T_W, one value or one per stage (default: ${DEFAULT-VALUE}).")
  String costW;

  @Option(names = "--cost-comm", paramLabel = "TC", defaultValue = "0",
      description = "Communication time T_comm on every cross-stage edge (default: ${DEFAULT-VALUE}).")
  String costComm;

  @Option(names = "--mem-f", paramLabel = "MF",
      description = "Memory delta of a forward pass, dM(F), one value or one per stage (default: 1, or from "
          + "--model).")
  String memF;

  @Option(names = "--mem-b", paramLabel = "MB",
      description = "Memory delta of a B pass, dM(B), one value or one per stage (default: 0, or from --model).")
  String memB;

  @Option(names = "--mem-w", paramLabel = "MW",
      description = "Memory delta of a W pass, dM(W), one value or one per stage (default: -1, or from "
          + "--model).")
  String memW;

  @Option(names = "--model", paramLabel = "PRESET",
      description = "Memory deltas of a model preset per unit s*b (dM(F) = 34h+5as, dM(W) = -32h): "
          + "tiny, small, 1.5b, 6.2b, 14.6b, 28.3b. Explicit --mem-* values win.")
  String model;

  @Option(names = "--mem-limit", paramLabel = "X",
      description = "Per-stage memory limit in the unit of the memory deltas, at least the largest "
          + "--mem-f (default: none).")
  String memLimit;

  @Option(names = "--mem-limit-factor", paramLabel = "K",
      description = "Per-stage memory limit as K*p*dM(F) of stage 0 (K = 1 is 1F1B's peak). "
          + "Excludes --mem-limit.")
  String memLimitFactor;

  /**
   * The cost model these options describe for {@code stages} stages, memory limit included ({@code +∞} when
   * neither limit option is given).
   *
   * @throws UsageException naming the first bad value and what is accepted
   */
  public CostModel costModel(int stages) {
    CostModel.Builder b = CostModel.builder(stages)
        .tf(Numbers.perStage("--cost-f", costF, stages, true))
        .tb(Numbers.perStage("--cost-b", costB, stages, true))
        .tw(Numbers.perStage("--cost-w", costW, stages, true))
        .comm(Numbers.time("--cost-comm", costComm));
    if (model != null) {
      ModelPreset preset = ModelPreset.byName(model);
      b.mem(preset.memF(), preset.memB(), preset.memW());
    }
    if (memF != null) {
      b.memF(Numbers.perStage("--mem-f", memF, stages, false));
    }
    if (memB != null) {
      b.memB(Numbers.perStage("--mem-b", memB, stages, false));
    }
    if (memW != null) {
      b.memW(Numbers.perStage("--mem-w", memW, stages, false));
    }
    CostModel unlimited = b.build();
    checkSomeWork(unlimited);
    for (int s = 0; s < stages; s++) {
      if (unlimited.memF(s) <= 0) {
        throw new UsageException("--mem-f [" + (memF == null ? num(unlimited.memF(s)) : memF)
            + "]: expected values > 0 (a forward pass holds its activations until its backward)");
      }
    }
    return unlimited.withMemLimit(limit(unlimited));
  }

  /**
   * Refuses a cost model in which no stage does any work: its bubble rate would be 0/0.
   */
  private void checkSomeWork(CostModel c) {
    for (int s = 0; s < c.stages(); s++) {
      if (c.tf(s) + c.tb(s) + c.tw(s) > 0) {
        return;
      }
    }
    throw new UsageException("--cost-f [" + costF + "], --cost-b [" + costB + "], --cost-w [" + costW
        + "]: every pass takes no time, so cost and bubble rate are 0/0; expected T_F + T_B + T_W > 0 on some stage");
  }

  /** The limit these options give ({@link CostModels#memLimit}), after checking it holds one microbatch. */
  private double limit(CostModel costs) {
    if (memLimit != null && memLimitFactor != null) {
      throw new UsageException("--mem-limit [" + memLimit + "] and --mem-limit-factor [" + memLimitFactor
          + "]: give at most one");
    }
    double oneMicrobatch = largestMemF(costs);
    double x = memLimit == null ? 0 : Numbers.inRange("--mem-limit", memLimit, 0, true, Numbers.MAX_MEMORY);
    double k = memLimitFactor == null ? 0
        : Numbers.inRange("--mem-limit-factor", memLimitFactor, 0, true, MAX_LIMIT_FACTOR);
    double limit = CostModels.memLimit(costs, x, k);
    if (memLimit != null && limit < oneMicrobatch) {
      throw new UsageException("--mem-limit [" + memLimit + "]: below the memory of one microbatch; expected at "
          + "least the largest dM(F), " + num(oneMicrobatch));
    }
    double perK = costs.stages() * costs.memF(0);
    if (memLimitFactor != null && (limit < oneMicrobatch || perK <= 0)) {
      throw new UsageException("--mem-limit-factor [" + memLimitFactor + "]: limit " + num(limit)
          + " is below the memory of one microbatch; expected K*p*dM(F) of stage 0 >= the largest dM(F), "
          + num(oneMicrobatch) + (perK > 0 ? " (K >= " + num(oneMicrobatch / perK) + ")" : ""));
    }
    return limit;
  }

  private static double largestMemF(CostModel costs) {
    double m = Double.NEGATIVE_INFINITY;
    for (int s = 0; s < costs.stages(); s++) {
      m = Math.max(m, costs.memF(s));
    }
    return m;
  }

  static String num(double x) {
    return io.zbpp.schedule.render.Fmt.num(x);
  }
}
