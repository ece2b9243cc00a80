package io.zbpp.cli;

import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.paper.PaperSetting;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zbpp bench paper}: every registered schedule on each of the paper's twelve settings (docs/design.md §7),
 * our simulated bubble rate beside the published one where the paper gives it, peak memory in units of
 * M_B = ΔM(F), validity, and the wall-clock time of the scheduler's {@code plan()}. With {@code --optimize},
 * a second table: the exact optimizer on ZB-1p's and ZB-2p's plans with the proven lower bound. Multi-chunk schedules
 * (1f1b-i, zb-v) run with their default v = 2; zb-1p and zb-2p under p·M_B and 2p·M_B.
 *
 * <p>This is a report, not a test: the times include JIT warm-up of the first runs.
 */
@Command(name = "paper", mixinStandardHelpOptions = true, versionProvider = Version.class,
    sortOptions = false, usageHelpAutoWidth = true,
    description = "The paper's twelve settings x every schedule: our bubble rate beside the published one, "
        + "peak memory (in M_B), validity and the scheduler's wall-clock time.")
public final class BenchPaperCommand implements Callable<Integer> {
  @Option(names = "--json", description = "Print one JSON object {\"rows\": [...]} instead of the table.")
  boolean json;

  @Option(names = "--schedules", paramLabel = "LIST", split = ",",
      description = "Only these schedules, a comma list (default: every registered one).")
  List<String> schedules;

  @Mixin OptimizeOptions optimizer = new OptimizeOptions(10);

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    List<String> names = schedules == null ? Schedules.names() : schedules;
    names.forEach(BenchPaperCommand::checkName);
    List<BenchRow> rows = new ArrayList<>();
    for (PaperSetting setting : PaperSetting.all()) {
      for (String name : names) {
        rows.add(BenchRow.measure(setting, name));
      }
    }
    List<BenchOptimizedRow> optimized = optimizer.enabled() ? optimize(schedules == null ? null : names) : List.of();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> obj = new LinkedHashMap<>();
      obj.put("rows", rows.stream().map(BenchRow::json).toList());
      if (optimizer.enabled()) {
        obj.put("optimized", optimized.stream().map(BenchOptimizedRow::json).toList());
      }
      out.println(Json.write(obj));
    } else {
      out.print(BenchRow.table(rows));
      if (optimizer.enabled()) {
        out.println();
        out.print(BenchOptimizedRow.table(optimized));
      }
    }
    out.flush();
    return 0;
  }

  /**
   * The exact optimizer on every setting, for the schedules in {@code --schedules} (by default ZB-1p and ZB-2p;
   * zb-v and 1f1b-i are optimized on their own placement); progress on stderr.
   */
  private List<BenchOptimizedRow> optimize(List<String> chosen) {
    optimizer.seconds();
    List<String> names = chosen == null ? BenchOptimizedRow.SCHEDULES : chosen;
    PrintWriter progress = spec.commandLine().getErr();
    List<BenchOptimizedRow> rows = new ArrayList<>();
    for (PaperSetting setting : PaperSetting.all()) {
      for (String name : names) {
        progress.print(setting.label() + ": ");
        rows.add(BenchOptimizedRow.measure(setting, name, optimizer, progress));
      }
    }
    return rows;
  }

  /** Rejects an unknown name in --schedules before any planning. */
  private static void checkName(String name) {
    try {
      Schedules.byName(name);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--schedules [" + name + "]: unknown; expected one of "
          + String.join(", ", Schedules.names()));
    }
  }

  static Shape shapeOf(PaperSetting s, String schedule) {
    return new Shape(s.stages(), s.microbatches(), ScheduleRules.defaultChunks(schedule));
  }
}
