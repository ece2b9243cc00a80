package io.zbpp.schedule.render;

import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Timeline;
import java.util.List;

/**
 * Renders a simulated plan as text, one line per stage, time running left to right (the paper's figures in
 * ASCII). A pure function of the {@link Timeline}.
 *
 * <p>Two layouts, chosen by width:
 * <ul>
 *   <li><b>token grid</b>: one cell per time quantum (the shortest pass); each pass prints its plan-file
 *   token ({@code F3}, {@code BW3}, {@code B3.5}) in its first cell and blank continuation cells, and an idle
 *   quantum prints {@code .}. Used when the line fits in {@code maxColumns}.</li>
 *   <li><b>scaled strip</b>: for bigger plans, time is scaled so the line is at most {@code maxColumns}
 *   characters; each character shows the kind of pass that is busy longest in its time slice ({@code F}, {@code B},
 *   {@code W}, {@code X} for a fused BW) or {@code .} when the stage is idle for at least half of it.</li>
 * </ul>
 * Both start with a header (schedule, p, m, cost, bubble rate, what one cell means). Times are the
 * simulator's (docs/design.md §2); every stage shares the time axis, so idle time before a stage's first pass shows
 * as dots. Lines carry no trailing spaces.
 */
public final class AsciiGrid {
  /** The default widest line, in characters, before switching to the scaled strip. */
  public static final int DEFAULT_MAX_COLUMNS = 200;

  private static final double EPS = 1e-9;

  private AsciiGrid() {}

  public static String render(Timeline timeline) {
    return render(timeline, DEFAULT_MAX_COLUMNS);
  }

  /**
   * @param maxColumns the widest line allowed (≥ 20), stage label included
   */
  public static String render(Timeline timeline, int maxColumns) {
    if (maxColumns < 20) {
      throw new IllegalArgumentException("maxColumns [" + maxColumns + "]: must be at least 20");
    }
    Plan plan = timeline.plan();
    double quantum = Extent.shortestPass(timeline);
    int cell = widestToken(plan) + 1;
    int slots = (int) Math.ceil(Extent.end(timeline) / quantum - EPS);
    int label = labelWidth(plan);
    if (label + (long) slots * cell <= maxColumns) {
      return header(timeline, "one cell = " + units(quantum)) + tokenGrid(timeline, quantum,
          cell, label);
    }
    int columns = maxColumns - label;
    double slice = Extent.end(timeline) / columns;
    return header(timeline, "one column = " + units(slice) + "; F B W, X = fused BW, . = idle")
        + strip(timeline, slice, columns, label);
  }

  private static String header(Timeline t, String scale) {
    Plan plan = t.plan();
    return plan.schedule() + "  p=" + plan.stageCount() + " m=" + plan.microbatches() + " v="
        + plan.placement().chunksPerStage() + "  cost=" + Fmt.num(t.cost()) + " bubble="
        + Fmt.percent(t.bubbleRate()) + "  (" + scale + ")\n";
  }

  private static String tokenGrid(Timeline t, double quantum, int cell, int label) {
    Plan plan = t.plan();
    boolean withChunk = !plan.placement().isSingle();
    StringBuilder out = new StringBuilder();
    for (int s = 0; s < plan.stageCount(); s++) {
      StringBuilder line = new StringBuilder(stageLabel(s, label));
      List<Instruction> ops = plan.stage(s);
      int col = 0;
      for (int k = 0; k < ops.size(); k++) {
        int from = Math.max(col, slot(t.start(s, k), quantum));
        int to = Math.max(from + 1, slot(t.end(s, k), quantum));
        for (; col < from; col++) {
          line.append(pad(".", cell));
        }
        line.append(pad(ops.get(k).token(withChunk), cell * (to - from)));
        col = to;
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  private static String strip(Timeline t, double slice, int columns, int label) {
    Plan plan = t.plan();
    StringBuilder out = new StringBuilder();
    for (int s = 0; s < plan.stageCount(); s++) {
      double[][] busy = new double[columns][Op.values().length];
      List<Instruction> ops = plan.stage(s);
      for (int k = 0; k < ops.size(); k++) {
        cover(t.start(s, k), t.end(s, k), slice, ops.get(k).op(), busy);
      }
      StringBuilder line = new StringBuilder(stageLabel(s, label));
      for (double[] column : busy) {
        line.append(majority(column, slice));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  /** Adds this pass's overlap with each column's time slice to that column's total for its op. */
  private static void cover(double start, double end, double slice, Op op, double[][] busy) {
    int first = Math.max(0, (int) Math.floor(start / slice));
    int last = Math.min(busy.length - 1, (int) Math.ceil(end / slice) - 1);
    for (int col = first; col <= last; col++) {
      double overlap = Math.min(end, (col + 1) * slice) - Math.max(start, col * slice);
      busy[col][op.ordinal()] += Math.max(0, overlap);
    }
  }

  /** The op busy longest in a slice, or {@code .} when the stage is idle for at least half of it. */
  private static char majority(double[] column, double slice) {
    double total = 0;
    Op best = Op.F;
    for (Op op : Op.values()) {
      total += column[op.ordinal()];
      if (column[op.ordinal()] > column[best.ordinal()]) {
        best = op;
      }
    }
    return total > slice / 2 + EPS ? letter(best) : '.';
  }

  private static String units(double t) {
    return Fmt.num(t) + (Fmt.num(t).equals("1") ? " time unit" : " time units");
  }

  private static char letter(Op op) {
    return switch (op) {
      case F -> 'F';
      case B -> 'B';
      case W -> 'W';
      case BW -> 'X';
    };
  }

  private static int slot(double time, double quantum) {
    return (int) Math.round(time / quantum);
  }



  private static int widestToken(Plan plan) {
    boolean withChunk = !plan.placement().isSingle();
    int w = 1;
    for (List<Instruction> ops : plan.stages()) {
      for (Instruction in : ops) {
        w = Math.max(w, in.token(withChunk).length());
      }
    }
    return w;
  }

  private static int labelWidth(Plan plan) {
    return stageLabel(plan.stageCount() - 1, 0).length();
  }

  private static String stageLabel(int s, int width) {
    return pad(String.valueOf(s), Math.max(0, width - 3)) + " | ";
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }
}
