package io.zbpp.cli;

import io.zbpp.schedule.optimize.OptimizationResult;
import io.zbpp.schedule.paper.PaperSetting;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One row of {@code zbpp bench paper --optimize}: the exact optimizer on a paper setting under ZB-1p's or
 * ZB-2p's limit, warm-started from the heuristic's plan. Bubble rates are the paper's (cost − m·work)/cost of
 * the heuristic's plan, of the optimized plan, and of the proven lower bound (no plan under that limit has a
 * smaller bubble rate).
 */
record BenchOptimizedRow(PaperSetting setting, String schedule, double heuristicBubble, double optimizedBubble,
    double boundBubble, double gap, String status, double seconds) {
  /** The schedules whose plans the bench optimizes unless --schedules names others. */
  static final List<String> SCHEDULES = List.of("zb-1p", "zb-2p");

  static BenchOptimizedRow measure(PaperSetting s, String schedule, OptimizeOptions opts, PrintWriter progress) {
    PlanRun run = PlanRun.run(schedule, BenchPaperCommand.shapeOf(s, schedule), s.costModel());
    double work = s.microbatches() * (s.tf() + s.tb() + s.tw());
    OptimizationResult r = opts.run(run, progress).result();
    return new BenchOptimizedRow(s, schedule, rate(r.warmStartCost(), work), rate(r.cost(), work),
        rate(r.lowerBound(), work), r.gap(), r.status().name().toLowerCase(Locale.ROOT).replace('_', '-'),
        r.solveMillis() / 1000.0);
  }

  private static double rate(double cost, double work) {
    return (cost - work) / cost;
  }

  Map<String, Object> json() {
    Map<String, Object> o = BenchRow.head(setting, schedule);
    o.put("heuristicBubbleRate", heuristicBubble);
    o.put("optimizedBubbleRate", optimizedBubble);
    o.put("lowerBoundBubbleRate", boundBubble);
    o.put("gap", gap);
    o.put("status", status);
    o.put("solveSeconds", seconds);
    return o;
  }

  static String table(List<BenchOptimizedRow> rows) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-17s %-8s %9s %9s %9s %8s %-12s %7s%n",
        "setting", "schedule", "heuristic", "optimized", "bound", "gap", "status", "s"));
    for (BenchOptimizedRow r : rows) {
      sb.append(String.format(Locale.ROOT, "%-17s %-8s %9.4f %9.4f %9.4f %7.3f%% %-12s %7.1f%n", r.setting.label(),
          r.schedule, r.heuristicBubble, r.optimizedBubble, Math.max(0, r.boundBubble), 100 * r.gap, r.status,
          r.seconds));
    }
    return sb.toString();
  }
}
