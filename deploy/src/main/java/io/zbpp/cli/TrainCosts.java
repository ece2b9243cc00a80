package io.zbpp.cli;

import io.zbpp.runtime.TrainSpec;
import picocli.CommandLine.Option;

/**
 * The cost and memory options of {@code zbpp train} (use with {@code @Mixin}): the {@code --cost-*},
 * {@code --mem-*} and memory-limit options of {@code zbpp schedule}, plus {@code --time-scale}. With the
 * emulated backend the times are what each pass sleeps, in ms; with cpu and cuda they are the planner's
 * profiled times, and when none is given the coordinator estimates them from the model shape. Memory deltas
 * come from the model preset (docs/design.md §2, bytes) unless {@code --mem-f/-b/-w} replace them pass by pass;
 * they are the memory model of the planner and the validator only (the emulated runners still hold the
 * preset's memory), and the limits are in their unit or multiples of p·ΔM(F) of stage 0.
 */
public final class TrainCosts {
  /** The largest {@code --time-scale}. */
  static final double MAX_TIME_SCALE = 1e6;
  /** The longest an emulated run may sleep without {@code --long-run}: an hour, in ms. */
  static final double MAX_EMULATED_MILLIS = 3_600_000;

  /** Pass time of the emulated backend when none is given, ms. */
  static final String EMULATED_DEFAULT = "1";

  @Option(names = "--cost-f", paramLabel = "TF",
      description = "Forward time T_F of each stage, one value or a comma list (one per stage). emulated: ms "
          + "slept per F of a stage (default 1); cpu/cuda: the planner's times (default: from the model shape).")
  String costF;

  @Option(names = "--cost-b", paramLabel = "TB", description = "Input-gradient time T_B, as --cost-f.")
  String costB;

  @Option(names = "--cost-w", paramLabel = "TW", description = "Weight-gradient time T_W, as --cost-f.")
  String costW;

  @Option(names = "--cost-comm", paramLabel = "TC", defaultValue = "0",
      description = "Communication time T_comm the planner assumes per cross-stage edge (default: "
          + "${DEFAULT-VALUE}).")
  String costComm;

  @Option(names = "--true-cost-f", paramLabel = "TF",
      description = "emulated only: the forward time each stage really sleeps, one value or a comma list, in the "
          + "units of --cost-f (default: --cost-f); the planner still plans from --cost-f.")
  String trueCostF;

  @Option(names = "--true-cost-b", paramLabel = "TB", description = "emulated only: the true T_B, as --true-cost-f.")
  String trueCostB;

  @Option(names = "--true-cost-w", paramLabel = "TW", description = "emulated only: the true T_W, as --true-cost-f.")
  String trueCostW;

  @Option(names = "--slowdown", paramLabel = "STAGE:FACTOR@ITERATION",
      description = "emulated only: from that iteration on (from 0) every pass of that stage sleeps FACTOR times "
          + "as long, e.g. 3:1.5@10; repeatable, one per stage.")
  java.util.List<String> slowdowns;

  @Option(names = "--time-scale", paramLabel = "K", defaultValue = "1",
      description = "Multiplies T_F, T_B, T_W and T_comm, > 0 and <= 1e6 (default: ${DEFAULT-VALUE}).")
  String timeScale;

  @Option(names = "--long-run",
      description = "Allow an emulated run whose passes sleep for more than an hour in all (refused without it).")
  boolean longRun;

  @Option(names = "--mem-f", paramLabel = "MF",
      description = "Memory delta of a forward pass, dM(F), one value or one per stage, in the unit of "
          + "--mem-limit (default: from the model preset).")
  String memF;

  @Option(names = "--mem-b", paramLabel = "MB",
      description = "Memory delta of a B pass, dM(B), as --mem-f (default: from the model preset).")
  String memB;

  @Option(names = "--mem-w", paramLabel = "MW",
      description = "Memory delta of a W pass, dM(W), as --mem-f (default: from the model preset).")
  String memW;

  @Option(names = "--mem-limit", paramLabel = "BYTES",
      description = "Per-stage memory limit in the unit of the memory deltas (bytes of the model's "
          + "activations by docs/design.md §2 unless --mem-* say otherwise); the plan must keep it (default: none).")
  String memLimit;

  @Option(names = "--mem-limit-factor", paramLabel = "K",
      description = "Per-stage memory limit K*p*M_B, M_B = dM(F) of stage 0 (K = 1 is 1F1B's peak). "
          + "Excludes --mem-limit.")
  String memLimitFactor;

  /**
   * Puts the costs, the memory deltas and the limit into {@code spec}.
   *
   * @param emulated whether pass times are needed (they default to 1 ms)
   * @throws UsageException naming the first bad value
   */
  void apply(TrainSpec.Builder spec, int stages, boolean emulated) {
    double scale = Numbers.inRange("--time-scale", timeScale, 0, true, MAX_TIME_SCALE);
    double comm = Numbers.time("--cost-comm", costComm) * scale;
    if (emulated || costF != null || costB != null || costW != null) {
      spec.costs(times("--cost-f", costF, stages, scale), times("--cost-b", costB, stages, scale),
          times("--cost-w", costW, stages, scale), comm);
    } else {
      spec.costs(java.util.List.of(), java.util.List.of(), java.util.List.of(), comm);
    }
    spec.memDeltas(deltas("--mem-f", memF, stages), deltas("--mem-b", memB, stages),
        deltas("--mem-w", memW, stages));
    if (memLimit != null && memLimitFactor != null) {
      throw new UsageException("--mem-limit [" + memLimit + "] and --mem-limit-factor [" + memLimitFactor
          + "]: give at most one");
    }
    if (memLimit != null) {
      spec.memLimit(Numbers.inRange("--mem-limit", memLimit, 0, true, Numbers.MAX_MEMORY));
    }
    if (memLimitFactor != null) {
      spec.memLimitFactor(Numbers.inRange("--mem-limit-factor", memLimitFactor, 0, true,
          CostOptions.MAX_LIMIT_FACTOR));
    }
  }

  /**
   * Refuses an emulated run that would sleep for more than {@link #MAX_EMULATED_MILLIS} unless {@code
   * --long-run} is given: at least iterations × m × (T_F + T_B + T_W) of the busiest stage, scaled.
   */
  void checkEmulatedDuration(int stages, int microbatches, int iterations) {
    double scale = Numbers.inRange("--time-scale", timeScale, 0, true, MAX_TIME_SCALE);
    double[][] t = new double[3][];
    String[] names = {"--cost-f", "--cost-b", "--cost-w"};
    String[] texts = {costF, costB, costW};
    String[] truths = {trueCostF, trueCostB, trueCostW};
    for (int k = 0; k < 3; k++) {
      String text = truths[k] != null ? truths[k] : texts[k] == null ? EMULATED_DEFAULT : texts[k];
      t[k] = Numbers.perStage(truths[k] != null ? "--true" + names[k].substring(1) : names[k], text, stages, true);
    }
    double busiest = 0;
    for (int s = 0; s < stages; s++) {
      busiest = Math.max(busiest, t[0][s] + t[1][s] + t[2][s]);
    }
    double millis = (double) iterations * microbatches * busiest * scale;
    if (millis > MAX_EMULATED_MILLIS && !longRun) {
      throw new UsageException(String.format(java.util.Locale.ROOT, "--time-scale [%s] x --cost-f/-b/-w: the emulated passes "
          + "would sleep at least %.1f h (%d iterations x %d microbatches x %s ms x %s); expected at most 1 h, "
          + "or add --long-run", timeScale, millis / 3.6e6, iterations, microbatches,
          Numbers.plain(busiest), timeScale));
    }
  }

  private static final java.util.regex.Pattern SLOWDOWN =
      java.util.regex.Pattern.compile("(\\d{1,9}):([0-9.eE+-]+)@(\\d{1,9})");
  /** The largest --slowdown factor. */
  static final double MAX_SLOWDOWN = 1e3;

  /**
   * The emulated backend's truth: {@code model} with the pass times the stages really sleep
   * ({@code --true-cost-*}, scaled like {@code --cost-*}; each defaults to the planner's) and the slowdowns.
   *
   * @throws UsageException when one is given on another backend, or names a bad value
   */
  io.zbpp.protocol.msg.ModelSpec emulatedTruth(io.zbpp.protocol.msg.ModelSpec model, int stages, int iterations,
      boolean emulated) {
    String[] names = {"--true-cost-f", "--true-cost-b", "--true-cost-w"};
    String[] texts = {trueCostF, trueCostB, trueCostW};
    java.util.List<String> given = new java.util.ArrayList<>();
    for (int k = 0; k < 3; k++) {
      if (texts[k] != null) {
        given.add(names[k] + " [" + texts[k] + "]");
      }
    }
    if (slowdowns != null && !slowdowns.isEmpty()) {
      given.add("--slowdown [" + slowdowns.get(0) + "]");
    }
    if (given.isEmpty()) {
      return model;
    }
    if (!emulated) {
      throw new UsageException(given.get(0) + ": only with --backend emulated (the other backends take the time "
          + "they take)");
    }
    double scale = Numbers.inRange("--time-scale", timeScale, 0, true, MAX_TIME_SCALE);
    io.zbpp.protocol.msg.ModelSpec m = model.withEmulatedTimes(
        trueCostF == null ? model.emulatedF() : times(names[0], trueCostF, stages, scale),
        trueCostB == null ? model.emulatedB() : times(names[1], trueCostB, stages, scale),
        trueCostW == null ? model.emulatedW() : times(names[2], trueCostW, stages, scale));
    return m.withSlowdowns(slowdowns(stages, iterations));
  }

  private java.util.List<io.zbpp.protocol.msg.ModelSpec.Slowdown> slowdowns(int stages, int iterations) {
    java.util.List<io.zbpp.protocol.msg.ModelSpec.Slowdown> out = new java.util.ArrayList<>();
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (String text : slowdowns == null ? java.util.List.<String>of() : slowdowns) {
      java.util.regex.Matcher m = SLOWDOWN.matcher(text.strip());
      if (!m.matches()) {
        throw new UsageException("--slowdown [" + text + "]: expected STAGE:FACTOR@ITERATION, e.g. 3:1.5@10 "
            + "(stage and iteration from 0)");
      }
      int stage = Integer.parseInt(m.group(1));
      int iteration = Integer.parseInt(m.group(3));
      double factor = Numbers.inRange("--slowdown", m.group(2), 0, true, MAX_SLOWDOWN);
      if (stage >= stages || iteration >= iterations) {
        throw new UsageException("--slowdown [" + text + "]: expected STAGE < " + stages + " and ITERATION < "
            + iterations);
      }
      if (!seen.add(stage)) {
        throw new UsageException("--slowdown [" + text + "]: stage " + stage + " is slowed twice; expected one "
            + "--slowdown per stage");
      }
      out.add(new io.zbpp.protocol.msg.ModelSpec.Slowdown(stage, factor, iteration));
    }
    return out;
  }

  private static java.util.List<Double> times(String option, String text, int stages, double scale) {
    return TrainJob.scaled(Numbers.perStage(option, text == null ? EMULATED_DEFAULT : text, stages, true), scale);
  }

  /** One value per stage, or empty (from the model preset) when the option is not given. */
  private static java.util.List<Double> deltas(String option, String text, int stages) {
    return text == null ? java.util.List.of() : TrainJob.scaled(Numbers.perStage(option, text, stages, false), 1);
  }
}
