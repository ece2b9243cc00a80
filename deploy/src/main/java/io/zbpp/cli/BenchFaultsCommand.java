package io.zbpp.cli;

import io.zbpp.schedule.Schedules;
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
 * {@code zbpp bench faults}: issue 12's scenario matrix (docs/faults.md "Figures") — each fault kind injected into
 * a job on the tiny model (cpu backend, p=2, m=4), per schedule: whether it was detected and recovered from, the
 * iterations replayed, the recovery time, and whether the job ended bit-identical to the fault-free run
 * ({@link FaultScenarios}).
 */
@Command(name = "faults", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    versionProvider = Version.class,
    description = {"Fault injection and recovery on the tiny model: per fault and schedule, detected, recovered, "
        + "iterations replayed, recovery seconds, and parameters identical to the fault-free run."})
public final class BenchFaultsCommand implements Callable<Integer> {
  @Option(names = "--schedules", paramLabel = "A,B", split = ",", defaultValue = "1f1b,zb-2p",
      description = "The schedules to run every scenario on (default: ${DEFAULT-VALUE}).")
  List<String> schedules;

  @Option(names = "--iterations", paramLabel = "N", defaultValue = "3",
      description = "Iterations per job; faults strike in iteration 1 (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--json", description = "Print one JSON object with the rows instead of the table.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Ranges.count("--iterations", iterations, 2, Ranges.MAX_ITERATIONS);
    for (String s : schedules) {
      try {
        Schedules.byName(s);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (!json) {
      out.printf(Locale.ROOT, "tiny model, cpu backend, p=%d m=%d, %d iterations; each fault strikes in iteration "
          + "1%n", FaultScenarios.STAGES, FaultScenarios.MICROBATCHES, iterations);
      out.printf("%-21s %-7s %-34s %8s %9s %8s %10s %9s%n", "scenario", "sched", "injected", "detected",
          "recovered", "replayed", "recovery s", "identical");
      out.flush();
    }
    List<FaultScenarios.Row> rows = FaultScenarios.run(schedules, iterations, r -> {
      if (!r.failure().isEmpty()) {
        spec.commandLine().getErr().println("zbpp bench faults: " + r.scenario() + " on " + r.schedule() + ": "
            + r.failure());
      }
      if (!json) {
        out.printf(Locale.ROOT, "%-21s %-7s %-34s %8d %9s %8d %10.3f %9s%n", r.scenario(), r.schedule(),
            r.injected(), r.detected(), yes(r.recovered()), r.replayedIterations(), r.recoverySeconds(),
            yes(r.identical()));
        out.flush();
      }
    });
    if (json) {
      out.println(Json.write(Map.of("rows", rows.stream().map(BenchFaultsCommand::json).toList())));
      out.flush();
    }
    return rows.stream().allMatch(r -> r.recovered() && r.identical()) ? 0 : 1;
  }

  private static String yes(boolean b) {
    return b ? "yes" : "no";
  }

  private static Map<String, Object> json(FaultScenarios.Row r) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("scenario", r.scenario());
    o.put("schedule", r.schedule());
    o.put("injected", r.injected());
    o.put("detected", r.detected());
    o.put("recovered", r.recovered());
    o.put("replayedIterations", r.replayedIterations());
    o.put("recoverySeconds", r.recoverySeconds());
    o.put("identical", r.identical());
    return o;
  }
}
