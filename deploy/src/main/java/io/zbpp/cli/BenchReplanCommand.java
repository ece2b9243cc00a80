package io.zbpp.cli;

import io.zbpp.runtime.EmulatedBackend;
import io.zbpp.runtime.ReplanBench;
import io.zbpp.schedule.paper.PaperSetting;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zbpp bench replan}: issue 14's comparison (docs/replan.md) — a paper setting, emulated, one stage truly
 * slower than the planner was told, the static plan against continuous re-planning side by side in one JVM
 * ({@link ReplanBench}); the measured steady-state throughput gain beside the simulator's.
 */
@Command(name = "replan", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    versionProvider = Version.class,
    description = {"Continuous re-planning against the static plan when one stage is truly slower than the "
        + "planner was told, emulated: steady iteration time per mode, the swaps, the measured and the "
        + "predicted throughput gain."})
public final class BenchReplanCommand implements Callable<Integer> {
  @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "zb-auto",
      description = "An automatic schedule: zb-auto, zb-1p or zb-2p (default: ${DEFAULT-VALUE}).")
  String schedule;

  @Option(names = "--setting", paramLabel = "I", defaultValue = "0",
      description = "Index of the paper setting, 0-11 in the order of `zbpp bench paper` (default: "
          + "${DEFAULT-VALUE}, 1.5B p=8 m=24).")
  int setting;

  @Option(names = "--slow-stage", paramLabel = "S", defaultValue = "3",
      description = "The stage that is truly slower than told (default: ${DEFAULT-VALUE}).")
  int slowStage;

  @Option(names = "--slow-factor", paramLabel = "X", defaultValue = "1.5",
      description = "How much slower, > 0 and <= 1000 (default: ${DEFAULT-VALUE}).")
  double slowFactor;

  @Option(names = "--mem-limit-factor", paramLabel = "K", defaultValue = "1",
      description = "The job's memory limit K*p*M_B; 0: none (default: ${DEFAULT-VALUE}: where re-planning "
          + "gains, docs/replan.md).")
  double memLimitFactor;

  @Option(names = "--replan-threshold", paramLabel = "PCT", defaultValue = "3",
      description = "The re-planned run's smallest predicted gain that swaps plans, percent (default: "
          + "${DEFAULT-VALUE}).")
  double threshold;

  @Option(names = "--time-scale", paramLabel = "K", defaultValue = "0.1",
      description = "Multiplies the profiled pass times (ms) (default: ${DEFAULT-VALUE}).")
  double timeScale;

  @Option(names = "--iterations", paramLabel = "N", defaultValue = "40",
      description = "Iterations per run (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--repeat", paramLabel = "R", defaultValue = "5",
      description = "Rounds, each running both modes at the same time (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--long-run",
      description = "Allow a run whose passes sleep for more than an hour in all (refused without it).")
  boolean longRun;

  @Option(names = "--json", description = "Print one JSON object instead of the table.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    ReplanBench.Setup setup = check();
    PrintWriter out = spec.commandLine().getOut();
    if (!json) {
      out.println(ReplanBench.header(setup, EmulatedBackend.calibrate()));
      out.flush();
    }
    ReplanBench.Result r = ReplanBench.compare(setup);
    if (json) {
      out.println(Json.write(json(setup, r)));
    } else {
      out.printf(Locale.ROOT, "steady state: iterations %d to %d (after the last swap and the first third)%n",
          r.steadyFrom(),
          iterations - 1);
      List<double[]> rounds = ReplanBench.rounds(r);
      for (int i = 0; i < rounds.size(); i++) {
        out.printf(Locale.ROOT, "round %d: off %.1f ms, continuous %.1f ms%n", i + 1, rounds.get(i)[0],
            rounds.get(i)[1]);
      }
      out.printf(Locale.ROOT, "%-12s %9s (median over rounds)%n", "replan", "iter ms");
      out.printf(Locale.ROOT, "%-12s %9.1f%n", "off", r.staticMillis());
      out.printf(Locale.ROOT, "%-12s %9.1f%n", "continuous", r.replanMillis());
      r.replanRuns().forEach(run -> out.print(TrainRunner.replanLines(run.replans())));
      out.printf(Locale.ROOT, "throughput gain: measured %+.1f%%, predicted by the swaps %+.1f%% (%+.1f points); "
          + "simulator under the true costs %+.1f%%%n", 100 * r.measuredGain(), 100 * r.predictedGain(),
          100 * (r.measuredGain() - r.predictedGain()), 100 * r.idealGain());
    }
    out.flush();
    return 0;
  }

  private Map<String, Object> json(ReplanBench.Setup s, ReplanBench.Result r) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("setting", s.setting().label());
    o.put("schedule", schedule);
    o.put("slowStage", slowStage);
    o.put("slowFactor", slowFactor);
    o.put("memLimitFactor", memLimitFactor);
    o.put("replanThreshold", threshold);
    o.put("timeScale", timeScale);
    o.put("iterations", iterations);
    o.put("repeat", repeat);
    o.put("steadyFrom", r.steadyFrom());
    o.put("rounds", ReplanBench.rounds(r).stream().map(x -> Map.of("off", x[0], "continuous", x[1])).toList());
    o.put("staticIterationMillis", r.staticMillis());
    o.put("replanIterationMillis", r.replanMillis());
    o.put("replans", r.replanRuns().stream().map(run -> run.replans().stream().map(TrainRunner::replanJson)
        .toList()).toList());
    o.put("measuredGain", r.measuredGain());
    o.put("predictedGain", r.predictedGain());
    o.put("idealGain", r.idealGain());
    return o;
  }

  private ReplanBench.Setup check() {
    List<PaperSetting> all = PaperSetting.all();
    Ranges.count("--setting", setting, 0, all.size() - 1);
    PaperSetting ps = all.get(setting);
    if (!io.zbpp.runtime.ReplanPolicy.AUTOMATIC.contains(schedule)) {
      throw new UsageException("--schedule [" + schedule + "]: expected one of "
          + String.join(", ", io.zbpp.runtime.ReplanPolicy.AUTOMATIC));
    }
    Ranges.count("--slow-stage", slowStage, 0, ps.stages() - 1);
    positive("--slow-factor", slowFactor, 1000);
    positive("--time-scale", timeScale, TrainCosts.MAX_TIME_SCALE);
    Ranges.count("--iterations", iterations, 2, Ranges.MAX_ITERATIONS);
    Ranges.count("--repeat", repeat, 1, BenchPostvalCommand.MAX_REPEAT);
    if (memLimitFactor != 0) {
      positive("--mem-limit-factor", memLimitFactor, 1000);
    }
    double millis = 2.0 * repeat * iterations * ps.microbatches() * (ps.tf() + ps.tb() + ps.tw()) * timeScale
        * Math.max(1, slowFactor);
    if (millis > TrainCosts.MAX_EMULATED_MILLIS && !longRun) {
      throw new UsageException(String.format(Locale.ROOT, "--time-scale [%s]: the emulated passes would sleep at "
          + "least %.1f h; expected at most 1 h, or add --long-run", timeScale, millis / 3.6e6));
    }
    try {
      io.zbpp.runtime.ReplanPolicy.of("continuous", threshold, schedule, false);
    } catch (IllegalArgumentException e) {
      throw new UsageException(io.zbpp.runtime.JobSpecFlags.message(e.getMessage()));
    }
    return new ReplanBench.Setup(ps, schedule, timeScale, iterations, repeat, slowStage, slowFactor, memLimitFactor,
        threshold);
  }

  private static void positive(String option, double v, double max) {
    if (!(v > 0 && v <= max)) {
      throw new UsageException(option + " [" + v + "]: expected a number > 0 and <= " + Numbers.plain(max));
    }
  }
}
