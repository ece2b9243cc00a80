package io.zbpp.schedule.render;

import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Placement;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Timeline;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a simulated plan as an SVG timeline in the style of the paper's figures, through the shared
 * {@link TimelineChart}: one row per stage, one box per pass at its simulated start and duration, a legend, a
 * time axis and a title with schedule, p, m, v, cost and bubble rate. In multi-chunk plans a stage's later
 * chunks are drawn in darker shades of the same colour.
 *
 * <p>Contract (tests rely on it): the output is a well-formed standalone SVG document; every pass is exactly
 * one {@code <rect>} whose {@code class} is {@code "pass <OP>"} with a {@code <title>} naming the instruction
 * and its times; no other element has class {@code pass}. A pure function of the {@link Timeline}.
 */
public final class SvgTimeline {
  private SvgTimeline() {}

  public static String render(Timeline t) {
    Plan plan = t.plan();
    String title = plan.schedule() + " \u2014 p=" + plan.stageCount() + ", m=" + plan.microbatches() + ", v="
        + plan.placement().chunksPerStage() + " \u2014 cost " + Fmt.num(t.cost()) + ", bubble rate "
        + Fmt.percent(t.bubbleRate());
    return TimelineChart.render(title, List.of(section("", t, 1)), plan.placement().chunksPerStage(), "");
  }

  /**
   * The passes of a simulated timeline as one chart section, times multiplied by {@code scale} (e.g. from the
   * cost model's unit to milliseconds).
   */
  public static TimelineChart.Section section(String name, Timeline t, double scale) {
    Plan plan = t.plan();
    List<TimelineChart.Bar> bars = new ArrayList<>(plan.size());
    for (int s = 0; s < plan.stageCount(); s++) {
      List<Instruction> ops = plan.stage(s);
      for (int k = 0; k < ops.size(); k++) {
        Instruction in = ops.get(k);
        double start = t.start(s, k) * scale;
        double end = t.end(s, k) * scale;
        bars.add(new TimelineChart.Bar(s, in.op(), in.microbatch(), localChunk(plan.placement(), in.chunk()),
            start, end, in + " [" + Fmt.num(start) + ", " + Fmt.num(end) + "]"));
      }
    }
    return new TimelineChart.Section(name, plan.stageCount(), bars);
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    return TimelineChart.niceStep(raw);
  }

  /** The paper's palette (see {@link TimelineChart#colour}). */
  static String colour(Op op, int localChunk, int chunksPerStage) {
    return TimelineChart.colour(op, localChunk, chunksPerStage);
  }

  /** The rank of a chunk among the chunks of its stage, in model order (0 for the first). */
  public static int localChunk(Placement placement, int chunk) {
    int stage = placement.stageOf(chunk);
    int rank = 0;
    for (int c = 0; c < chunk; c++) {
      if (placement.stageOf(c) == stage) {
        rank++;
      }
    }
    return rank;
  }
}
