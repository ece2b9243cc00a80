package io.zbpp.runtime;

import io.zbpp.runtime.TrainReport.TimelineBar;
import java.util.List;
import java.util.Locale;

/**
 * Renders what actually ran in one iteration as an HTML page with an inline SVG: one row per stage, one box
 * per pass (F blue, B green, W orange, fused BW teal), labelled with its microbatch (and chunk when a stage
 * holds several), on a shared millisecond axis; the title gives the predicted and realized bubble rates.
 */
public final class TimelineSvg {
  private static final int ROW = 28;
  private static final int LEFT = 70;
  private static final int WIDTH = 1200;

  private TimelineSvg() {}

  /** The page for {@code iteration} of the report (the last one when out of range). */
  public static String html(TrainReport r, int iteration) {
    int last = r.iterationMillis().size() - 1;
    int it = iteration < 0 || iteration > last ? last : iteration;
    List<TimelineBar> bars = r.timeline().stream().filter(b -> b.iteration() == it).toList();
    double end = bars.stream().mapToDouble(TimelineBar::endMillis).max().orElse(1);
    double scale = (WIDTH - LEFT - 10) / end;
    boolean chunks = bars.stream().anyMatch(b -> b.chunk() != b.stage());
    StringBuilder svg = new StringBuilder();
    int height = r.stages() * ROW + 40;
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "font-family=\"monospace\" font-size=\"10\">%n", WIDTH, height));
    for (int s = 0; s < r.stages(); s++) {
      svg.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\">stage %d</text>%n", s * ROW + 18, s));
    }
    for (TimelineBar b : bars) {
      double x = LEFT + b.startMillis() * scale;
      double w = Math.max(0.5, (b.endMillis() - b.startMillis()) * scale);
      String label = b.microbatch() + (chunks ? "." + b.chunk() : "");
      svg.append(String.format(Locale.ROOT, "<g><title>%s%s %.3f–%.3f ms</title><rect x=\"%.2f\" y=\"%d\" "
          + "width=\"%.2f\" height=\"%d\" fill=\"%s\" stroke=\"#333\" stroke-width=\"0.3\"/>"
          + "<text x=\"%.2f\" y=\"%d\">%s</text></g>%n", b.op(), label, b.startMillis(), b.endMillis(), x,
          b.stage() * ROW + 4, w, ROW - 8, color(b.op()), x + 2, b.stage() * ROW + 18, w > 14 ? label : ""));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">0 ms</text><text x=\"%d\" y=\"%d\" "
        + "text-anchor=\"end\">%.1f ms</text>%n</svg>%n", LEFT, height - 10, WIDTH - 10, height - 10, end));
    return String.format(Locale.ROOT, "<!DOCTYPE html>%n<html><head><meta charset=\"utf-8\"><title>zbpp %s</title>"
        + "</head><body>%n<h3>%s, p=%d, m=%d, iteration %d: %.1f ms, bubble predicted %.4f, realized %.4f</h3>%n%s"
        + "</body></html>%n", r.schedule(), r.schedule(), r.stages(), r.microbatches(), it,
        r.iterationMillis().get(it), r.predictedBubbleRate(), r.realizedBubbleRates().get(it), svg);
  }

  private static String color(String op) {
    return switch (op) {
      case "F" -> "#8fb8e8";
      case "B" -> "#8fd18f";
      case "W" -> "#f2b36f";
      default -> "#6fc9c0";
    };
  }
}
