package io.zbpp.cli;

import io.zbpp.runtime.EmulatedBackend;
import io.zbpp.runtime.PostValidationBench;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.paper.PaperSetting;
import java.io.PrintWriter;
import java.util.ArrayList;
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
 * {@code zbpp bench postval}: issue 6's throughput comparison (docs/post-validation.md) — one schedule on a
 * paper setting on the emulated backend with no optimizer check, the synchronous all-reduce
 * ({@code --post-validation off}) and post-validation ({@code on}), interleaved over rounds in one JVM
 * ({@link PostValidationBench}).
 */
@Command(name = "postval", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    versionProvider = Version.class,
    description = {"Post-validation against the synchronous optimizer check on a paper setting, emulated: "
        + "iteration time, throughput, realized and boundary bubble per mode."})
public final class BenchPostvalCommand implements Callable<Integer> {
  @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "zb-2p",
      description = "The schedule to run in every mode (default: ${DEFAULT-VALUE}).")
  String schedule;

  @Option(names = "--setting", paramLabel = "I", defaultValue = "0",
      description = "Index of the paper setting, 0-11 in the order of `zbpp bench paper` (default: "
          + "${DEFAULT-VALUE}, 1.5B p=8 m=24).")
  int setting;

  @Option(names = "--time-scale", paramLabel = "K", defaultValue = "0.2",
      description = "Multiplies the profiled pass times (ms) (default: ${DEFAULT-VALUE}).")
  double timeScale;

  @Option(names = "--iterations", paramLabel = "N", defaultValue = "8",
      description = "Iterations per run; the first is left out of the figures (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--repeat", paramLabel = "R", defaultValue = "2",
      description = "Rounds over the three modes, their order alternating against drift; figures are means over "
          + "rounds (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--long-run",
      description = "Allow a run whose passes sleep for more than an hour in all (refused without it).")
  boolean longRun;

  @Option(names = "--json", description = "Print one JSON object with the rows instead of the table.")
  boolean json;

  /** The most rounds. */
  static final int MAX_REPEAT = 1000;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PaperSetting ps = check();
    PrintWriter out = spec.commandLine().getOut();
    long overshoot = EmulatedBackend.calibrate();
    if (!json) {
      out.println(PostValidationBench.header(schedule, ps, timeScale, overshoot, iterations, repeat));
      out.flush();
    }
    List<PostValidationBench.Row> rows = PostValidationBench.compare(ps, timeScale, iterations, repeat, schedule);
    double ratio = PostValidationBench.postValidationVsSync(rows);
    if (json) {
      out.println(Json.write(json(ps, rows, ratio)));
    } else {
      out.println(PostValidationBench.columns());
      rows.forEach(r -> out.println(PostValidationBench.line(r)));
      out.printf(Locale.ROOT, "post-validation vs synchronous: %+.1f%% throughput (paper: about +8%%)%n",
          100 * (ratio - 1));
    }
    out.flush();
    return 0;
  }

  private Map<String, Object> json(PaperSetting ps, List<PostValidationBench.Row> rows, double ratio) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("setting", ps.label());
    o.put("schedule", schedule);
    o.put("timeScale", timeScale);
    o.put("iterations", iterations);
    o.put("repeat", repeat);
    List<Map<String, Object>> list = new ArrayList<>();
    for (PostValidationBench.Row r : rows) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("mode", r.mode());
      row.put("iterationMillis", r.iterationMillis());
      row.put("samplesPerSecond", r.samplesPerSecond());
      row.put("realizedBubbleRate", r.realizedBubble());
      row.put("boundaryBubbleRate", r.boundaryBubble());
      list.add(row);
    }
    o.put("rows", list);
    o.put("throughputPostValidationVsSync", ratio);
    return o;
  }

  private PaperSetting check() {
    List<PaperSetting> all = PaperSetting.all();
    if (setting < 0 || setting >= all.size()) {
      throw new UsageException("--setting [" + setting + "]: expected 0 to " + (all.size() - 1));
    }
    if (!(timeScale > 0) || timeScale > TrainCosts.MAX_TIME_SCALE) {
      throw new UsageException("--time-scale [" + timeScale + "]: expected a number > 0 and <= 1e6");
    }
    if (iterations < 2) {
      throw new UsageException("--iterations [" + iterations + "]: must be at least 2 (the first is left out)");
    }
    if (repeat < 1) {
      throw new UsageException("--repeat [" + repeat + "]: must be at least 1");
    }
    Ranges.count("--iterations", iterations, 2, Ranges.MAX_ITERATIONS);
    Ranges.count("--repeat", repeat, 1, MAX_REPEAT);
    PaperSetting ps = all.get(setting);
    double millis = 3.0 * repeat * iterations * ps.microbatches() * (ps.tf() + ps.tb() + ps.tw()) * timeScale;
    if (millis > TrainCosts.MAX_EMULATED_MILLIS && !longRun) {
      throw new UsageException(String.format(java.util.Locale.ROOT, "--time-scale [%s]: the emulated passes would "
          + "sleep at least %.1f h (3 modes x %d rounds x %d iterations x %d microbatches); expected at most 1 h, "
          + "or add --long-run", timeScale, millis / 3.6e6, repeat, iterations, ps.microbatches()));
    }
    try {
      Schedules.byName(schedule);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    return all.get(setting);
  }
}
