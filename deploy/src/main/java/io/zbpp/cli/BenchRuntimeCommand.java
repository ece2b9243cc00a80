package io.zbpp.cli;

import io.zbpp.runtime.EmulatedBackend;
import io.zbpp.runtime.DataPlaneKind;
import io.zbpp.runtime.LocalTraining;
import io.zbpp.runtime.RuntimeBench;
import io.zbpp.runtime.TrainReport;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.paper.PaperSetting;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zbpp bench runtime}: one of the paper's settings (docs/design.md §7; default 1.5B, p=8, m=24) on the
 * emulated backend — every pass sleeps its profiled time × {@code --time-scale} in ms — for several schedules
 * side by side in one JVM and one actor system: predicted vs realized bubble rate, iteration time, throughput
 * against 1F1B, and the message latency on waited-for edges (with {@code --processes}, across the worker JVMs).
 */
@Command(name = "runtime", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    versionProvider = Version.class,
    description = {"A paper setting on the emulated backend, several schedules side by side: predicted vs "
        + "realized bubble rate and throughput against 1F1B."})
public final class BenchRuntimeCommand implements Callable<Integer> {
  @Option(names = "--setting", paramLabel = "I", defaultValue = "0",
      description = "Index of the paper setting, 0-11 in the order of `zbpp bench paper` (default: "
          + "${DEFAULT-VALUE}, 1.5B p=8 m=24).")
  int setting;

  @Option(names = "--time-scale", paramLabel = "K", defaultValue = "0.5",
      description = "Multiplies the profiled pass times (ms), > 0 and <= 1e6 (default: ${DEFAULT-VALUE}).")
  double timeScale;

  @Option(names = "--iterations", paramLabel = "N", defaultValue = "10",
      description = "Iterations per schedule; the first is left out of the figures (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--schedules", paramLabel = "LIST", defaultValue = "1f1b,zb-h1,zb-2p", split = ",",
      description = "Schedules to run, in order (default: ${DEFAULT-VALUE}).")
  List<String> schedules;

  @Option(names = "--processes", description = "Run each stage in its own worker JVM on 127.0.0.1 (a coordinator and p "
      + "workers on Pekko Cluster, commands over Artery and tensors over the workers' Netty data plane); message "
      + "latency is then measured across JVMs (pass timestamps on the wall clock).")
  boolean processes;

  @Option(names = "--data-plane", paramLabel = "KIND", defaultValue = "memory",
      description = "How tensors travel between the stage actors: memory, netty or artery, as for `zbpp train`; "
          + "in one JVM only: with --processes they go over the workers' Netty data plane (default: ${DEFAULT-VALUE}).")
  String dataPlane;

  @Option(names = "--long-run",
      description = "Allow a run whose passes sleep for more than an hour in all (refused without it).")
  boolean longRun;

  @Option(names = "--json", description = "Print {\"rows\":[...]} instead of the table.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PaperSetting ps = check();
    DataPlaneKind plane = TrainCommand.dataPlane(dataPlane);
    PrintWriter out = spec.commandLine().getOut();
    long overshoot = EmulatedBackend.calibrate();
    if (!json) {
      out.println(RuntimeBench.header(ps, timeScale, iterations, overshoot));
      out.flush();
    }
    Map<String, TrainReport> reports = new LinkedHashMap<>();
    if (processes) {
      try (LocalCluster cluster = LocalCluster.start(ps.stages(), "emulated")) {
        for (String name : schedules) {
          add(name, cluster.train(RuntimeBench.spec(ps, timeScale, iterations, name, ""),
              new LocalTraining.Listener() { }), reports);
        }
      }
    } else {
      try (LocalTraining training = LocalTraining.open(false)) {
        for (String name : schedules) {
          add(name, training.train(RuntimeBench.spec(ps, timeScale, iterations, name, "").withDataPlane(plane)),
              reports);
        }
      }
    }
    if (json) {
      out.println(Json.write(Map.of("rows", rows(ps, reports))));
    }
    out.flush();
    return 0;
  }

  private void add(String name, TrainReport r, Map<String, TrainReport> reports) {
    reports.put(name, r);
    if (!json) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(RuntimeBench.line(name, r, reports.get("1f1b")));
      out.flush();
    }
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
    Ranges.count("--iterations", iterations, 2, Ranges.MAX_ITERATIONS);
    PaperSetting ps = all.get(setting);
    double millis = (double) iterations * schedules.size() * ps.microbatches() * (ps.tf() + ps.tb() + ps.tw())
        * timeScale;
    if (millis > TrainCosts.MAX_EMULATED_MILLIS && !longRun) {
      throw new UsageException(String.format(java.util.Locale.ROOT, "--time-scale [%s]: the emulated passes would "
          + "sleep at least %.1f h (%d schedules x %d iterations x %d microbatches x %s ms); expected at most 1 h, "
          + "or add --long-run", timeScale, millis / 3.6e6, schedules.size(), iterations, ps.microbatches(),
          Numbers.plain((ps.tf() + ps.tb() + ps.tw()) * timeScale)));
    }
    for (String s : schedules) {
      try {
        Schedules.byName(s);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage().replaceFirst("^(--)?schedule \\[", "--schedules ["));
      }
    }
    return all.get(setting);
  }

  private List<Map<String, Object>> rows(PaperSetting ps, Map<String, TrainReport> reports) {
    TrainReport base = reports.get("1f1b");
    List<Map<String, Object>> rows = new ArrayList<>();
    reports.forEach((name, r) -> {
      double[] lat = RuntimeBench.latency(r);
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("setting", ps.label());
      o.put("schedule", name);
      o.put("timeScale", timeScale);
      o.put("predictedBubbleRate", r.predictedBubbleRate());
      o.put("realizedBubbleRate", r.realizedBubbleRate());
      o.put("iterationMillis", RuntimeBench.steadyIterationMillis(r));
      o.put("samplesPerSecond", r.samplesPerSecond());
      o.put("throughputVs1f1b", base == null ? null : r.samplesPerSecond() / base.samplesPerSecond());
      o.put("messageLatencyMedianMillis", lat[2] > 0 ? lat[0] : null);
      o.put("messageLatencyMeanMillis", lat[2] > 0 ? lat[1] : null);
      o.put("messageLatencyCount", (int) lat[2]);
      rows.add(o);
    });
    return rows;
  }

}
