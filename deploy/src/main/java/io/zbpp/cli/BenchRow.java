package io.zbpp.cli;

import io.zbpp.schedule.Timeline;
import io.zbpp.schedule.paper.PaperSetting;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One row of {@code zbpp bench paper}: a schedule on a paper setting.
 *
 * @param bubbleRate our simulated rate, NaN when the plan could not be made or simulated
 * @param published the paper's rate, NaN where it gives none
 * @param peakInMB the largest stage peak memory in units of M_B = ΔM(F), the activation memory of one microbatch
 *     on one stage (1F1B holds p); not megabytes. NaN when not simulated
 * @param error why no plan was made, or empty
 */
record BenchRow(PaperSetting setting, String schedule, int chunks, double bubbleRate, double published,
    double cost, double peakInMB, boolean valid, double planMillis, String error) {

  static BenchRow measure(PaperSetting s, String schedule) {
    double published = s.published().getOrDefault(schedule, Double.NaN);
    int v = ScheduleRules.defaultChunks(schedule);
    try {
      PlanRun run = PlanRun.run(schedule, BenchPaperCommand.shapeOf(s, schedule), s.costModel());
      Timeline t = run.validation().timeline();
      double peak = Double.NaN;
      if (t != null) {
        peak = t.peakMemory().stream().mapToDouble(Double::doubleValue).max().orElse(0) / s.memF();
      }
      return new BenchRow(s, schedule, v, t == null ? Double.NaN : t.bubbleRate(), published,
          t == null ? Double.NaN : t.cost(), peak, run.valid(), run.planMillis(), "");
    } catch (UsageException e) {
      return new BenchRow(s, schedule, v, Double.NaN, published, Double.NaN, Double.NaN, false, Double.NaN,
          e.getMessage());
    }
  }

  Map<String, Object> json() {
    Map<String, Object> o = head(setting, schedule);
    o.put("chunks", chunks);
    o.put("bubbleRate", bubbleRate);
    o.put("published", published);
    o.put("cost", cost);
    o.put("peakInUnitsOfMemF", peakInMB);
    o.put("peakInMB", peakInMB);
    o.put("valid", valid);
    o.put("planMillis", planMillis);
    if (!error.isEmpty()) {
      o.put("error", error);
    }
    o.put("costs", ScheduleReport.costs(setting.costModel()));
    o.put("command", command(setting, schedule));
    return o;
  }

  /** The {@code zbpp schedule} command that plans this row again with the same cost model. */
  static String command(PaperSetting s, String schedule) {
    return "zbpp schedule --schedule " + schedule + " --stages " + s.stages() + " --microbatches " + s.microbatches()
        + " --cost-f " + Json.number(s.tf()) + " --cost-b " + Json.number(s.tb()) + " --cost-w " + Json.number(s.tw())
        + " --cost-comm " + Json.number(s.comm()) + " --mem-f " + Json.number(s.memF()) + " --mem-b "
        + Json.number(s.memB()) + " --mem-w " + Json.number(s.memW());
  }

  /** The fields that name a row: the setting's model, p, m, and the schedule. */
  static Map<String, Object> head(PaperSetting setting, String schedule) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("model", setting.model());
    o.put("stages", setting.stages());
    o.put("microbatches", setting.microbatches());
    o.put("schedule", schedule);
    return o;
  }

  static String table(List<BenchRow> rows) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-17s %-8s %2s %8s %9s %8s %9s %9s %s%n",
        "setting", "schedule", "v", "bubble", "published", "diff", "peak/M_B", "plan ms", "valid"));
    for (BenchRow r : rows) {
      sb.append(String.format(Locale.ROOT, "%-17s %-8s %2d %8s %9s %8s %9s %9s %s%n", r.setting.label(),
          r.schedule, r.chunks, fixed(r.bubbleRate, 4), fixed(r.published, 4),
          Double.isNaN(r.published) || Double.isNaN(r.bubbleRate) ? "-" : signed(r.bubbleRate - r.published),
          fixed(r.peakInMB, 2), fixed(r.planMillis, 2), r.error.isEmpty() ? (r.valid ? "yes" : "NO") : r.error));
    }
    return sb.toString();
  }

  /** Fixed decimals; NaN prints as {@code -}, and a value that rounds to zero never as {@code -0.00}. */
  private static String fixed(double x, int decimals) {
    if (Double.isNaN(x)) {
      return "-";
    }
    String s = String.format(Locale.ROOT, "%." + decimals + "f", x);
    return s.matches("-0\\.0*") ? s.substring(1) : s;
  }

  /** Four decimals with a sign; a difference that rounds to zero prints as {@code +0.0000}, not -0.0000. */
  private static String signed(double x) {
    double r = Math.round(x * 1e4) / 1e4;
    return String.format(Locale.ROOT, "%+.4f", r == 0 ? 0.0 : r);
  }
}
