package io.zbpp.runtime;

import io.zbpp.runtime.TrainReport.TimelineBar;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Timeline;
import io.zbpp.schedule.render.SvgTimeline;
import io.zbpp.schedule.render.TimelineChart;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The timeline page of a training run: an HTML page with one SVG drawn by the schedule's own renderer
 * ({@link TimelineChart}, same palette, legend and time axis as {@code zbpp schedule --svg}), showing the
 * planned schedule (the plan simulated with the planner's costs) above what actually ran in one iteration, on
 * one millisecond axis, so the realized bubble can be compared with the planned one. Under the chart: bubble
 * rates, the share of pass time spent waiting for a core, and per stage the planned and measured peak memory.
 *
 * <p>The planned times are in the cost model's unit; they are scaled by one factor so that the busiest stage's
 * planned work equals its measured work in that iteration (for the emulated backend, whose passes sleep their
 * costs in ms, the factor is close to 1).
 */
public final class TimelineSvg {
  private TimelineSvg() {}

  /** The page for {@code iteration} (0-based; the last one when out of range), without a planned row. */
  public static String html(TrainReport r, int iteration) {
    return html(r, iteration, Optional.empty());
  }

  /**
   * The page for {@code iteration} (0-based; the last one when out of range) with the planned schedule above it
   * when {@code planned} is given.
   */
  public static String html(TrainReport r, int iteration, Optional<Timeline> planned) {
    int last = r.iterationMillis().size() - 1;
    int it = iteration < 0 || iteration > last ? last : iteration;
    List<TimelineBar> bars = r.timeline().stream().filter(b -> b.iteration() == it).toList();
    double measuredWork = busiestWork(bars);
    List<TimelineChart.Section> sections = new ArrayList<>();
    double k = 1;
    if (planned.isPresent()) {
      double plannedWork = busiestWork(planned.get());
      k = plannedWork > 0 && measuredWork > 0 ? measuredWork / plannedWork : 1;
      sections.add(SvgTimeline.section(String.format(Locale.ROOT, "planned: the plan simulated with the planner's "
          + "costs (x %.4g to ms), bubble rate %.4f", k, planned.get().bubbleRate()), planned.get(), k));
    }
    sections.add(realized(r, it, bars));
    int v = chunksPerStage(bars, r.stages());
    String title = String.format(Locale.ROOT, "%s, p=%d, m=%d, iteration %d of %d", r.schedule(), r.stages(),
        r.microbatches(), it + 1, last + 1);
    String svg = TimelineChart.render(title, sections, v, "ms").replaceFirst("<\\?xml[^>]*>\\n", "");
    return String.format(Locale.ROOT, "<!DOCTYPE html>%n<html><head><meta charset=\"utf-8\"><title>zbpp %s</title>"
        + "</head><body style=\"font-family: Helvetica, Arial, sans-serif\">%n<h3>%s</h3>%n%s%s</body></html>%n",
        r.schedule(), title + String.format(Locale.ROOT, ": %.1f ms, bubble rate predicted %.4f, realized %.4f",
            r.iterationMillis().get(it), r.predictedBubbleRate(), r.realizedBubbleRates().get(it)),
        svg, facts(r, planned));
  }

  private static TimelineChart.Section realized(TrainReport r, int it, List<TimelineBar> bars) {
    return new TimelineChart.Section(String.format(Locale.ROOT, "realized: what ran in iteration %d, bubble "
        + "rate %.4f", it + 1, r.realizedBubbleRates().get(it)), r.stages(), chartBars(bars));
  }

  /**
   * The SVG of one iteration's passes as they ran on {@code stages} stages (the dashboard's timeline): the same
   * chart as the timeline page's realized row.
   */
  public static String svg(String title, int stages, List<TimelineBar> bars) {
    return TimelineChart.render(title, List.of(new TimelineChart.Section("", stages, chartBars(bars))),
        chunksPerStage(bars, stages), "ms");
  }

  private static int chunksPerStage(List<TimelineBar> bars, int stages) {
    return Math.max(1, (int) bars.stream().map(b -> b.stage() + ":" + b.chunk()).distinct().count()
        / Math.max(1, stages));
  }

  /** The passes as the chart draws them: a stage's later chunks darker, the times in the tooltip. */
  private static List<TimelineChart.Bar> chartBars(List<TimelineBar> bars) {
    Map<Integer, TreeSet<Integer>> chunksOfStage = new TreeMap<>();
    bars.forEach(b -> chunksOfStage.computeIfAbsent(b.stage(), s -> new TreeSet<>()).add(b.chunk()));
    List<TimelineChart.Bar> out = new ArrayList<>();
    for (TimelineBar b : bars) {
      int local = chunksOfStage.get(b.stage()).headSet(b.chunk()).size();
      String cpu = Double.isNaN(b.cpuMillis()) ? "" : String.format(Locale.ROOT, ", on a core %.3f ms", b.cpuMillis());
      out.add(new TimelineChart.Bar(b.stage(), Op.valueOf(b.op()), b.microbatch(), local, b.startMillis(),
          b.endMillis(), String.format(Locale.ROOT, "%s%d chunk %d [%.3f, %.3f] ms%s", b.op(), b.microbatch(),
              b.chunk(), b.startMillis(), b.endMillis(), cpu)));
    }
    return out;
  }

  /** The facts below the chart: core waiting and memory, planned against measured. */
  private static String facts(TrainReport r, Optional<Timeline> planned) {
    StringBuilder sb = new StringBuilder("<p>");
    double wait = r.coreWaitShare();
    if (Double.isFinite(wait)) {
      sb.append(String.format(Locale.ROOT, "Passes ran on a core %.0f%% of their wall time; %.0f%% was waiting "
          + "for one. ", 100 * (1 - wait), 100 * wait));
    }
    int cores = Runtime.getRuntime().availableProcessors();
    if (cores < r.stages()) {
      sb.append(String.format(Locale.ROOT, "%d stages share %d cores, so part of the realized bubble is stages "
          + "waiting for a core, not the schedule.", r.stages(), cores));
    }
    sb.append("</p>\n<table border=\"1\" cellpadding=\"4\" style=\"border-collapse: collapse\">\n<tr><th>stage"
        + "</th><th>planned peak memory (planner's unit)</th><th>measured peak bytes held</th></tr>\n");
    for (int s = 0; s < r.stages(); s++) {
      int stage = s;
      String plan = planned.map(t -> String.format(Locale.ROOT, "%,.0f", t.peakMemory().get(stage))).orElse("-");
      String measured = s < r.peakBytes().size() ? String.format(Locale.ROOT, "%,d", r.peakBytes().get(s)) : "-";
      sb.append("<tr><td>").append(s).append("</td><td>").append(plan).append("</td><td>").append(measured)
          .append("</td></tr>\n");
    }
    return sb.append("</table>\n").toString();
  }

  private static double busiestWork(List<TimelineBar> bars) {
    Map<Integer, Double> work = new TreeMap<>();
    bars.forEach(b -> work.merge(b.stage(), b.endMillis() - b.startMillis(), Double::sum));
    return work.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
  }

  private static double busiestWork(Timeline t) {
    double best = 0;
    for (int s = 0; s < t.plan().stageCount(); s++) {
      double w = 0;
      for (int k = 0; k < t.plan().stage(s).size(); k++) {
        w += t.end(s, k) - t.start(s, k);
      }
      best = Math.max(best, w);
    }
    return best;
  }
}
