package io.zbpp.cli;

import io.zbpp.schedule.render.Fmt;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The SVG plot of {@code zbpp frontier}: bubble rate over the memory limit factor K, one line per method
 * (heuristic, optimized, lower bound), the handcrafted schedules as labelled points, axes with labels and
 * ticks, a legend and a title.
 *
 * <p>Contract (tests rely on it): a well-formed standalone SVG document; each method is exactly one
 * {@code <g class="series" data-method="...">} holding one {@code <polyline>} and one {@code <circle>} per row;
 * each marked schedule is one {@code <g class="mark" data-schedule="...">}.
 */
final class FrontierSvg {
  private static final int WIDTH = 760;
  private static final int HEIGHT = 480;
  private static final int LEFT = 70;
  private static final int RIGHT = 170;
  private static final int TOP = 40;
  private static final int BOTTOM = 60;

  private record Series(String method, String label, String colour, String dash,
      ToDoubleFunction<FrontierCommand.Row> value) {}

  private static final List<Series> SERIES = List.of(
      new Series("heuristic", "zb-auto (heuristic)", "#d62728", "", FrontierCommand.Row::heuristic),
      new Series("optimized", "optimizer", "#1f77b4", "", FrontierCommand.Row::optimized),
      new Series("lowerBound", "proven lower bound", "#2ca02c", "6,4", FrontierCommand.Row::lowerBound));

  private FrontierSvg() {}

  static String render(String title, List<FrontierCommand.Row> rows, List<FrontierCommand.Mark> marks) {
    double xMin = Double.POSITIVE_INFINITY;
    double xMax = Double.NEGATIVE_INFINITY;
    double yMax = 0;
    for (FrontierCommand.Row r : rows) {
      xMin = Math.min(xMin, r.factor());
      xMax = Math.max(xMax, r.factor());
      yMax = Math.max(yMax, Math.max(r.heuristic(), r.optimized()));
    }
    for (FrontierCommand.Mark m : marks) {
      xMin = Math.min(xMin, m.factor());
      xMax = Math.max(xMax, m.factor());
      yMax = Math.max(yMax, m.bubbleRate());
    }
    if (xMax - xMin < 1e-9) {
      xMin -= 0.5;
      xMax += 0.5;
    }
    double pad = 0.04 * (xMax - xMin);
    xMin -= pad;
    xMax += pad;
    double yStep = niceStep(Math.max(yMax, 1e-3) / 5);
    double yTop = Math.ceil(Math.max(yMax, 1e-3) / yStep) * yStep;
    Axes a = new Axes(xMin, xMax, yTop);

    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>%n"
        + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
        + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>%n",
        WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT,
        escape(title)));
    axes(svg, a, yStep);
    for (Series s : SERIES) {
      series(svg, a, s, rows);
    }
    for (FrontierCommand.Mark m : marks) {
      double x = a.x(m.factor());
      double y = a.y(m.bubbleRate());
      svg.append(String.format(Locale.ROOT, "<g class=\"mark\" data-schedule=\"%s\">"
          + "<rect x=\"%s\" y=\"%s\" width=\"8\" height=\"8\" fill=\"black\"><title>%s: bubble rate %.4f at K=%s"
          + "</title></rect><text x=\"%s\" y=\"%s\">%s</text></g>%n", escape(m.schedule()), c(x - 4), c(y - 4),
          escape(m.schedule()), m.bubbleRate(), Fmt.num(m.factor()), c(x + 7), c(y - 6), escape(m.schedule())));
    }
    legend(svg);
    svg.append("</svg>\n");
    return svg.toString();
  }

  /** The plot area's mapping from K and bubble rate to pixels. */
  private record Axes(double xMin, double xMax, double yTop) {
    double x(double k) {
      return LEFT + (k - xMin) / (xMax - xMin) * (WIDTH - LEFT - RIGHT);
    }

    double y(double rate) {
      return TOP + (1 - rate / yTop) * (HEIGHT - TOP - BOTTOM);
    }
  }

  private static void axes(StringBuilder svg, Axes a, double yStep) {
    double x0 = LEFT;
    double x1 = WIDTH - RIGHT;
    double y0 = HEIGHT - BOTTOM;
    svg.append(String.format(Locale.ROOT, "<g class=\"axes\" stroke=\"black\">"
        + "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/><line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/></g>%n",
        c(x0), c(y0), c(x1), c(y0), c(x0), c(y0), c(x0), c(TOP)));
    double xStep = niceStep((a.xMax() - a.xMin()) / 6);
    for (double k = Math.ceil(a.xMin() / xStep) * xStep; k <= a.xMax() + 1e-9; k += xStep) {
      double x = a.x(k);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"black\"/>"
          + "<text x=\"%s\" y=\"%s\" text-anchor=\"middle\">%s</text>%n", c(x), c(y0), c(x), c(y0 + 5), c(x),
          c(y0 + 18), Fmt.num(Math.round(k * 1e9) / 1e9)));
    }
    for (double r = 0; r <= a.yTop() + 1e-12; r += yStep) {
      double y = a.y(r);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#ddd\"/>"
          + "<text x=\"%s\" y=\"%s\" text-anchor=\"end\">%s</text>%n", c(x0), c(y), c(x1), c(y), c(x0 - 6),
          c(y + 4), Fmt.num(Math.round(r * 1e9) / 1e9)));
    }
    svg.append(String.format(Locale.ROOT, "<text class=\"axis-label\" x=\"%s\" y=\"%s\" text-anchor=\"middle\">"
        + "memory limit K (limit = K \u00b7 p \u00b7 M_B)</text>%n", c((x0 + x1) / 2), c(HEIGHT - 18)));
    svg.append(String.format(Locale.ROOT, "<text class=\"axis-label\" x=\"18\" y=\"%s\" text-anchor=\"middle\" "
        + "transform=\"rotate(-90 18 %s)\">bubble rate</text>%n", c((TOP + y0) / 2), c((TOP + y0) / 2)));
  }

  private static void series(StringBuilder svg, Axes a, Series s, List<FrontierCommand.Row> rows) {
    StringBuilder points = new StringBuilder();
    StringBuilder dots = new StringBuilder();
    for (FrontierCommand.Row r : rows) {
      double v = s.value().applyAsDouble(r);
      double x = a.x(r.factor());
      double y = a.y(v);
      points.append(points.isEmpty() ? "" : " ").append(c(x)).append(',').append(c(y));
      dots.append(String.format(Locale.ROOT, "<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\"><title>%s at K=%s: "
          + "%.4f</title></circle>", c(x), c(y), s.colour(), escape(s.label()), Fmt.num(r.factor()), v));
    }
    svg.append(String.format(Locale.ROOT, "<g class=\"series\" data-method=\"%s\"><polyline points=\"%s\" "
        + "fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%s</g>%n", s.method(), points, s.colour(),
        s.dash().isEmpty() ? "" : " stroke-dasharray=\"" + s.dash() + "\"", dots));
  }

  private static void legend(StringBuilder svg) {
    double x = WIDTH - RIGHT + 15;
    double y = TOP + 10;
    svg.append("<g class=\"legend\">");
    for (Series s : SERIES) {
      svg.append(String.format(Locale.ROOT, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"%s\" "
          + "stroke-width=\"2\"%s/><text x=\"%s\" y=\"%s\">%s</text>", c(x), c(y), c(x + 24), c(y), s.colour(),
          s.dash().isEmpty() ? "" : " stroke-dasharray=\"" + s.dash() + "\"", c(x + 30), c(y + 4),
          escape(s.label())));
      y += 20;
    }
    svg.append(String.format(Locale.ROOT, "<rect x=\"%s\" y=\"%s\" width=\"8\" height=\"8\" fill=\"black\"/>"
        + "<text x=\"%s\" y=\"%s\">handcrafted schedule</text>", c(x + 8), c(y - 4), c(x + 30), c(y + 4)));
    svg.append("</g>\n");
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double f : new double[] {1, 2, 5}) {
      if (f * p >= raw) {
        return f * p;
      }
    }
    return 10 * p;
  }

  private static String c(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
