package io.zbpp.schedule.render;

import io.zbpp.schedule.Op;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The one SVG renderer of pass timelines, for the simulated schedule ({@link SvgTimeline}) and for what a
 * training run actually did (the runtime timeline page), so both read the same: one row per stage, one box per
 * pass in the paper's palette ({@link #colour}), the microbatch number in the box, idle time white, a legend, a
 * time axis with ticks at 1, 2 or 5 times a power of ten (about ten of them), and a title. A chart holds one or
 * more {@link Section}s — e.g. the planned schedule above the realized one — stacked on one shared time scale.
 *
 * <p>Contract (tests rely on it): a well-formed standalone SVG document; every pass is exactly one {@code
 * <rect>} whose {@code class} is {@code "pass <OP>"} with a {@code <title>}; legend swatches have class {@code
 * legend}, axis ticks class {@code tick}; no other element has class {@code pass}.
 */
public final class TimelineChart {
  private static final double LEFT = 96;
  private static final double RIGHT = 24;
  private static final double TOP = 62;
  private static final double ROW = 26;
  private static final double GAP = 6;
  private static final double SECTION_HEAD = 22;
  private static final double BOTTOM = 40;
  private static final double MIN_PLOT = 1000;
  private static final double MAX_PLOT = 3000;
  private static final double MIN_PASS_PX = 18;

  private TimelineChart() {}

  /**
   * One pass as drawn.
   *
   * @param localChunk the rank of its chunk among its stage's chunks (0: first; later ones are drawn darker)
   * @param title the tooltip, e.g. the instruction and its times
   */
  public record Bar(int stage, Op op, int microbatch, int localChunk, double start, double end, String title) {}

  /**
   * Rows of one kind, e.g. "planned" or "realized"; an empty name draws no heading.
   *
   * @param stages the number of stage rows
   */
  public record Section(String name, int stages, List<Bar> bars) {
    public Section {
      bars = List.copyOf(bars);
    }
  }

  /**
   * The SVG document.
   *
   * @param chunksPerStage v, for the shades of later chunks
   * @param unit the time axis' unit, e.g. "ms"; empty for the cost model's own unit
   */
  public static String render(String title, List<Section> sections, int chunksPerStage, String unit) {
    double span = 0;
    double shortest = Double.POSITIVE_INFINITY;
    Set<Op> ops = EnumSet.noneOf(Op.class);
    for (Section s : sections) {
      for (Bar b : s.bars()) {
        span = Math.max(span, b.end());
        if (b.end() - b.start() > 1e-9) {
          shortest = Math.min(shortest, b.end() - b.start());
        }
        ops.add(b.op());
      }
    }
    span = span > 0 ? span : 1;
    shortest = shortest == Double.POSITIVE_INFINITY ? 1 : shortest;
    double scale = Math.min(Math.max(MIN_PLOT / span, MIN_PASS_PX / shortest), MAX_PLOT / span);
    double width = LEFT + span * scale + RIGHT;
    double y = TOP;
    List<Double> tops = new ArrayList<>();
    for (Section s : sections) {
      y += s.name().isEmpty() ? 0 : SECTION_HEAD;
      tops.add(y);
      y += s.stages() * (ROW + GAP);
    }
    double axisY = y;
    double height = axisY + BOTTOM;
    StringBuilder svg = new StringBuilder(1024);
    svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(Fmt.coord(width))
        .append("\" height=\"").append(Fmt.coord(height)).append("\" viewBox=\"0 0 ").append(Fmt.coord(width))
        .append(' ').append(Fmt.coord(height)).append("\" font-family=\"Helvetica, Arial, sans-serif\">\n")
        .append("<rect class=\"background\" x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"white\"/>\n")
        .append("<text class=\"title\" x=\"").append(Fmt.coord(LEFT)).append("\" y=\"22\" font-size=\"16\"")
        .append(" font-weight=\"bold\">").append(escape(title)).append("</text>\n");
    legend(svg, ops, chunksPerStage);
    for (int i = 0; i < sections.size(); i++) {
      section(svg, sections.get(i), tops.get(i), span, scale, chunksPerStage);
    }
    axis(svg, span, scale, axisY, unit);
    return svg.append("</svg>\n").toString();
  }

  private static void legend(StringBuilder svg, Set<Op> ops, int chunksPerStage) {
    double x = LEFT;
    for (Op op : ops) {
      svg.append("<rect class=\"legend\" x=\"").append(Fmt.coord(x)).append("\" y=\"32\" width=\"14\"")
          .append(" height=\"14\" fill=\"").append(colour(op, 0, 1)).append("\" stroke=\"#404040\"/>")
          .append("<text x=\"").append(Fmt.coord(x + 18)).append("\" y=\"44\" font-size=\"12\">")
          .append(op.name()).append(' ').append(meaning(op)).append("</text>\n");
      x += 40 + 6.5 * meaning(op).length();
    }
    svg.append("<text x=\"").append(Fmt.coord(x)).append("\" y=\"44\" font-size=\"12\" fill=\"#404040\">")
        .append("number = microbatch; white = idle")
        .append(chunksPerStage > 1 ? "; darker = later chunk on the stage" : "").append("</text>\n");
  }

  private static String meaning(Op op) {
    return switch (op) {
      case F -> "forward";
      case B -> "input gradient";
      case W -> "weight gradient";
      case BW -> "fused backward";
    };
  }

  private static void section(StringBuilder svg, Section sec, double top, double span, double scale, int v) {
    if (!sec.name().isEmpty()) {
      svg.append("<text class=\"section\" x=\"").append(Fmt.coord(LEFT)).append("\" y=\"")
          .append(Fmt.coord(top - 7)).append("\" font-size=\"13\" font-weight=\"bold\">").append(escape(sec.name()))
          .append("</text>\n");
    }
    for (int s = 0; s < sec.stages(); s++) {
      double y = top + s * (ROW + GAP);
      svg.append("<text x=\"").append(Fmt.coord(LEFT - 8)).append("\" y=\"").append(Fmt.coord(y + ROW / 2 + 4))
          .append("\" font-size=\"12\" text-anchor=\"end\">stage ").append(s).append("</text>\n")
          .append("<rect class=\"idle\" x=\"").append(Fmt.coord(LEFT)).append("\" y=\"").append(Fmt.coord(y))
          .append("\" width=\"").append(Fmt.coord(span * scale)).append("\" height=\"").append(Fmt.coord(ROW))
          .append("\" fill=\"white\" stroke=\"#b0b0b0\" stroke-width=\"0.6\"/>\n");
    }
    for (Bar b : sec.bars()) {
      double y = top + b.stage() * (ROW + GAP);
      double x = LEFT + b.start() * scale;
      double w = (b.end() - b.start()) * scale;
      svg.append("<rect class=\"pass ").append(b.op().name()).append("\" x=\"").append(Fmt.coord(x))
          .append("\" y=\"").append(Fmt.coord(y)).append("\" width=\"").append(Fmt.coord(w))
          .append("\" height=\"").append(Fmt.coord(ROW)).append("\" fill=\"").append(colour(b.op(), b.localChunk(), v))
          .append("\" stroke=\"#404040\" stroke-width=\"0.6\"><title>").append(escape(b.title()))
          .append("</title></rect>\n");
      String label = String.valueOf(b.microbatch());
      if (w >= 7 * label.length() + 2) {
        boolean dark = shade(b.localChunk(), v) >= 0.3;
        svg.append("<text x=\"").append(Fmt.coord(x + w / 2)).append("\" y=\"").append(Fmt.coord(y + ROW / 2 + 4))
            .append("\" font-size=\"11\" text-anchor=\"middle\"").append(dark ? " fill=\"white\"" : "")
            .append('>').append(label).append("</text>\n");
      }
    }
  }

  private static void axis(StringBuilder svg, double span, double scale, double y, String unit) {
    svg.append("<line class=\"axis\" x1=\"").append(Fmt.coord(LEFT)).append("\" y1=\"").append(Fmt.coord(y))
        .append("\" x2=\"").append(Fmt.coord(LEFT + span * scale)).append("\" y2=\"").append(Fmt.coord(y))
        .append("\" stroke=\"black\"/>\n");
    double step = niceStep(span / 10);
    for (int i = 0; i * step <= span + 1e-9; i++) {
      double x = LEFT + i * step * scale;
      svg.append("<line class=\"tick\" x1=\"").append(Fmt.coord(x)).append("\" y1=\"").append(Fmt.coord(y))
          .append("\" x2=\"").append(Fmt.coord(x)).append("\" y2=\"").append(Fmt.coord(y + 5))
          .append("\" stroke=\"black\"/>").append("<text x=\"").append(Fmt.coord(x)).append("\" y=\"")
          .append(Fmt.coord(y + 18)).append("\" font-size=\"11\" text-anchor=\"middle\">").append(Fmt.num(i * step))
          .append("</text>\n");
    }
    svg.append("<text x=\"").append(Fmt.coord(LEFT + span * scale)).append("\" y=\"").append(Fmt.coord(y + 34))
        .append("\" font-size=\"11\" text-anchor=\"end\">time").append(unit.isEmpty() ? "" : " (" + unit + ")")
        .append("</text>\n");
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    double pow = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double f : new double[] {1, 2, 5, 10}) {
      if (f * pow >= raw - 1e-12) {
        return f * pow;
      }
    }
    return 10 * pow;
  }

  /** The paper's palette: F blue, B teal, W green, fused BW orange; darker for later chunks of a stage. */
  public static String colour(Op op, int localChunk, int chunksPerStage) {
    int rgb = switch (op) {
      case F -> 0x8FB8E8;
      case B -> 0x7ED0C8;
      case W -> 0xA8D98A;
      case BW -> 0xF2B880;
    };
    double dark = shade(localChunk, chunksPerStage);
    int r = (int) Math.round(((rgb >> 16) & 0xFF) * (1 - dark));
    int g = (int) Math.round(((rgb >> 8) & 0xFF) * (1 - dark));
    int b = (int) Math.round((rgb & 0xFF) * (1 - dark));
    return String.format(java.util.Locale.ROOT, "#%02X%02X%02X", r, g, b);
  }

  /** How much darker than the base colour a chunk is drawn: 0 for a stage's first chunk, 0.4 for its last. */
  private static double shade(int localChunk, int chunksPerStage) {
    return chunksPerStage <= 1 ? 0 : 0.4 * localChunk / (chunksPerStage - 1);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
