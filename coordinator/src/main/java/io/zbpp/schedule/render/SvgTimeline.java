package io.zbpp.schedule.render;

import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Placement;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Timeline;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Renders a simulated plan as an SVG timeline in the style of the paper's figures: one row per stage, one box
 * per pass at its simulated start and duration, F, B, W and fused BW in distinct colours, the microbatch
 * number in the box, idle time as white, a time axis and a title with schedule, p, m, v, cost and bubble rate.
 * In multi-chunk plans a stage's later chunks are drawn in darker shades of the same colour.
 *
 * <p>Contract (tests rely on it): the output is a well-formed standalone SVG document; every pass is exactly
 * one {@code <rect>} whose {@code class} is {@code "pass <OP>"} with a {@code <title>} naming the instruction
 * and its times; no other element has class {@code pass}. A pure function of the {@link Timeline}.
 */
public final class SvgTimeline {
  private static final double LEFT = 76;
  private static final double RIGHT = 24;
  private static final double TOP = 62;
  private static final double ROW = 26;
  private static final double GAP = 6;
  private static final double BOTTOM = 40;
  private static final double MIN_PLOT = 1000;
  private static final double MAX_PLOT = 20000;
  private static final double MIN_PASS_PX = 18;

  private SvgTimeline() {}

  public static String render(Timeline t) {
    Plan plan = t.plan();
    double span = Extent.end(t);
    double scale = Math.min(Math.max(MIN_PLOT / span, MIN_PASS_PX / Extent.shortestPass(t)), MAX_PLOT / span);
    double width = LEFT + span * scale + RIGHT;
    double axisY = TOP + plan.stageCount() * (ROW + GAP);
    double height = axisY + BOTTOM;
    StringBuilder svg = new StringBuilder(256 + plan.size() * 200);
    svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(Fmt.coord(width))
        .append("\" height=\"").append(Fmt.coord(height)).append("\" viewBox=\"0 0 ").append(Fmt.coord(width))
        .append(' ').append(Fmt.coord(height)).append("\" font-family=\"Helvetica, Arial, sans-serif\">\n")
        .append("<rect class=\"background\" x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    title(svg, t);
    legend(svg, plan, width);
    for (int s = 0; s < plan.stageCount(); s++) {
      stageRow(svg, t, s, span, scale);
    }
    axis(svg, span, scale, axisY);
    return svg.append("</svg>\n").toString();
  }

  private static void title(StringBuilder svg, Timeline t) {
    Plan plan = t.plan();
    String text = plan.schedule() + " \u2014 p=" + plan.stageCount() + ", m=" + plan.microbatches() + ", v="
        + plan.placement().chunksPerStage() + " \u2014 cost " + Fmt.num(t.cost()) + ", bubble rate "
        + Fmt.percent(t.bubbleRate());
    svg.append("<text class=\"title\" x=\"").append(Fmt.coord(LEFT)).append("\" y=\"22\" font-size=\"16\"")
        .append(" font-weight=\"bold\">").append(escape(text)).append("</text>\n");
  }

  private static void legend(StringBuilder svg, Plan plan, double width) {
    Set<Op> ops = EnumSet.noneOf(Op.class);
    plan.stages().forEach(l -> l.forEach(in -> ops.add(in.op())));
    double x = LEFT;
    for (Op op : ops) {
      svg.append("<rect class=\"legend\" x=\"").append(Fmt.coord(x)).append("\" y=\"32\" width=\"14\"")
          .append(" height=\"14\" fill=\"").append(colour(op, 0, 1)).append("\" stroke=\"#404040\"/>")
          .append("<text x=\"").append(Fmt.coord(x + 18)).append("\" y=\"44\" font-size=\"12\">")
          .append(op.name()).append("</text>\n");
      x += 52;
    }
    if (!plan.placement().isSingle()) {
      svg.append("<text x=\"").append(Fmt.coord(x)).append("\" y=\"44\" font-size=\"12\" fill=\"#404040\">")
          .append("darker = later chunk on the stage</text>\n");
    }
  }

  private static void stageRow(StringBuilder svg, Timeline t, int s, double span, double scale) {
    Plan plan = t.plan();
    double y = TOP + s * (ROW + GAP);
    svg.append("<text x=\"").append(Fmt.coord(LEFT - 8)).append("\" y=\"").append(Fmt.coord(y + ROW / 2 + 4))
        .append("\" font-size=\"12\" text-anchor=\"end\">stage ").append(s).append("</text>\n")
        .append("<rect class=\"idle\" x=\"").append(Fmt.coord(LEFT)).append("\" y=\"").append(Fmt.coord(y))
        .append("\" width=\"").append(Fmt.coord(span * scale)).append("\" height=\"").append(Fmt.coord(ROW))
        .append("\" fill=\"white\" stroke=\"#b0b0b0\" stroke-width=\"0.6\"/>\n");
    List<Instruction> ops = plan.stage(s);
    int v = plan.placement().chunksPerStage();
    for (int k = 0; k < ops.size(); k++) {
      Instruction in = ops.get(k);
      double x = LEFT + t.start(s, k) * scale;
      double w = (t.end(s, k) - t.start(s, k)) * scale;
      svg.append("<rect class=\"pass ").append(in.op().name()).append("\" x=\"").append(Fmt.coord(x))
          .append("\" y=\"").append(Fmt.coord(y)).append("\" width=\"").append(Fmt.coord(w))
          .append("\" height=\"").append(Fmt.coord(ROW)).append("\" fill=\"")
          .append(colour(in.op(), localChunk(plan.placement(), in.chunk()), v))
          .append("\" stroke=\"#404040\" stroke-width=\"0.6\"><title>").append(in).append(" [")
          .append(Fmt.num(t.start(s, k))).append(", ").append(Fmt.num(t.end(s, k))).append("]</title></rect>\n");
      String label = String.valueOf(in.microbatch());
      if (w >= 7 * label.length() + 2) {
        boolean dark = shade(localChunk(plan.placement(), in.chunk()), v) >= 0.3;
        svg.append("<text x=\"").append(Fmt.coord(x + w / 2)).append("\" y=\"").append(Fmt.coord(y + ROW / 2 + 4))
            .append("\" font-size=\"11\" text-anchor=\"middle\"").append(dark ? " fill=\"white\"" : "")
            .append('>').append(label).append("</text>\n");
      }
    }
  }

  private static void axis(StringBuilder svg, double span, double scale, double y) {
    svg.append("<line class=\"axis\" x1=\"").append(Fmt.coord(LEFT)).append("\" y1=\"").append(Fmt.coord(y))
        .append("\" x2=\"").append(Fmt.coord(LEFT + span * scale)).append("\" y2=\"").append(Fmt.coord(y))
        .append("\" stroke=\"black\"/>\n");
    double step = niceStep(span / 10);
    for (int i = 0; i * step <= span + 1e-9; i++) {
      double x = LEFT + i * step * scale;
      svg.append("<line x1=\"").append(Fmt.coord(x)).append("\" y1=\"").append(Fmt.coord(y)).append("\" x2=\"")
          .append(Fmt.coord(x)).append("\" y2=\"").append(Fmt.coord(y + 5)).append("\" stroke=\"black\"/>")
          .append("<text x=\"").append(Fmt.coord(x)).append("\" y=\"").append(Fmt.coord(y + 18))
          .append("\" font-size=\"11\" text-anchor=\"middle\">").append(Fmt.num(i * step)).append("</text>\n");
    }
    svg.append("<text x=\"").append(Fmt.coord(LEFT + span * scale)).append("\" y=\"").append(Fmt.coord(y + 34))
        .append("\" font-size=\"11\" text-anchor=\"end\">time</text>\n");
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
  static String colour(Op op, int localChunk, int chunksPerStage) {
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

  /** The rank of a chunk among the chunks of its stage, in model order (0 for the first). */
  static int localChunk(Placement placement, int chunk) {
    int stage = placement.stageOf(chunk);
    int rank = 0;
    for (int c = 0; c < chunk; c++) {
      if (placement.stageOf(c) == stage) {
        rank++;
      }
    }
    return rank;
  }



  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
