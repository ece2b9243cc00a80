package io.zbpp.schedule;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a plan against a cost model. A valid plan:
 * <ol>
 *   <li>places every pass on the stage that holds its chunk;</li>
 *   <li>runs every (chunk, microbatch) exactly once as F, B, W or as F, BW;</li>
 *   <li>runs passes of one kind on one chunk in microbatch order (docs/design.md §1);</li>
 *   <li>can run to the end without deadlock (the {@link Simulator} succeeds): F after the previous chunk's F, B or
 *       BW after the next chunk's backward (after its own F on the last chunk), W after its own B — a violated
 *       dependency is reported with the pass that waits, the pass it waits for and the rule;</li>
 *   <li>keeps every stage's running memory at or under the limit.</li>
 * </ol>
 * Every violation is reported, each naming the pass; {@link Validation#report()} adds the plan with the bad
 * passes marked.
 */
public final class Validator {
  /** Relative slack on the memory limit, for limits computed in floating point. */
  public static final double MEMORY_TOLERANCE = 1e-9;

  private Validator() {}

  public static Validation validate(Plan plan, CostModel costs) {
    List<String> problems = new ArrayList<>();
    Set<Instruction> marked = new HashSet<>();
    checkPasses(plan, problems, marked);
    checkOrder(plan, problems, marked);
    Timeline timeline = null;
    if (problems.isEmpty()) {
      try {
        timeline = Simulator.simulate(plan, costs);
      } catch (InvalidPlanException e) {
        problems.add(e.getMessage());
      }
    }
    if (timeline != null && costs.hasMemLimit()) {
      double limit = costs.memLimit() * (1 + MEMORY_TOLERANCE);
      for (int s = 0; s < plan.stageCount(); s++) {
        if (timeline.peakMemory(s) > limit) {
          problems.add("stage " + s + ": peak memory " + timeline.peakMemory(s) + " exceeds the limit "
              + costs.memLimit());
        }
      }
    }
    return new Validation(plan, problems, marked, timeline);
  }

  private static void checkPasses(Plan plan, List<String> problems, Set<Instruction> marked) {
    Placement pl = plan.placement();
    int m = plan.microbatches();
    int[][] seen = new int[pl.chunks() * m][Op.values().length];
    for (int s = 0; s < plan.stageCount(); s++) {
      for (Instruction in : plan.stage(s)) {
        if (in.chunk() >= pl.chunks() || in.microbatch() >= m) {
          problems.add(in + ": outside " + m + " microbatches and " + pl.chunks() + " chunks");
          marked.add(in);
          continue;
        }
        if (pl.stageOf(in.chunk()) != s) {
          problems.add(in + ": chunk " + in.chunk() + " belongs to stage " + pl.stageOf(in.chunk()));
          marked.add(in);
        }
        if (++seen[in.chunk() * m + in.microbatch()][in.op().ordinal()] == 2) {
          problems.add(in + ": runs more than once");
          marked.add(in);
        }
      }
    }
    for (int c = 0; c < pl.chunks(); c++) {
      for (int j = 0; j < m; j++) {
        int[] n = seen[c * m + j];
        boolean split = n[Op.F.ordinal()] == 1 && n[Op.B.ordinal()] == 1 && n[Op.W.ordinal()] == 1
            && n[Op.BW.ordinal()] == 0;
        boolean fused = n[Op.F.ordinal()] == 1 && n[Op.BW.ordinal()] == 1 && n[Op.B.ordinal()] == 0
            && n[Op.W.ordinal()] == 0;
        if (!split && !fused) {
          problems.add("chunk " + c + " microbatch " + j + ": passes F×" + n[0] + " B×" + n[1] + " W×" + n[2]
              + " BW×" + n[3] + "; expected F, B, W or F, BW once each");
        }
      }
    }
  }

  private static void checkOrder(Plan plan, List<String> problems, Set<Instruction> marked) {
    int chunks = plan.placement().chunks();
    for (int s = 0; s < plan.stageCount(); s++) {
      int[][] last = new int[chunks][3];
      for (int[] row : last) {
        java.util.Arrays.fill(row, -1);
      }
      for (Instruction in : plan.stage(s)) {
        if (in.chunk() >= chunks) {
          continue;
        }
        int kind = switch (in.op()) {
          case F -> 0;
          case B, BW -> 1;
          case W -> 2;
        };
        if (in.microbatch() < last[in.chunk()][kind]) {
          problems.add(Simulator.name(in, plan) + ": " + in.op() + " passes of chunk " + in.chunk()
              + " out of microbatch order");
          marked.add(in);
        }
        last[in.chunk()][kind] = Math.max(last[in.chunk()][kind], in.microbatch());
      }
    }
  }

  /** The outcome: the problems found, and the timeline when the plan could be simulated. */
  public record Validation(Plan plan, List<String> problems, Set<Instruction> marked, Timeline timeline) {
    public Validation {
      problems = List.copyOf(problems);
      marked = Set.copyOf(marked);
    }

    public boolean ok() {
      return problems.isEmpty();
    }

    /** The problems, then the plan with each bad pass marked as {@code >>F3<<}. */
    public String report() {
      StringBuilder sb = new StringBuilder();
      for (String p : problems) {
        sb.append("- ").append(p).append('\n');
      }
      boolean withChunk = !plan.placement().isSingle();
      for (int s = 0; s < plan.stageCount(); s++) {
        sb.append(s).append(':');
        for (Instruction in : plan.stage(s)) {
          String tok = in.token(withChunk);
          sb.append(' ').append(marked.contains(in) ? ">>" + tok + "<<" : tok);
        }
        sb.append('\n');
      }
      return sb.toString();
    }

    /** Throws {@link InvalidPlanException} with the report unless the plan is valid; returns the timeline. */
    public Timeline orThrow() {
      if (!ok()) {
        throw new InvalidPlanException("invalid plan " + plan.schedule() + ":\n" + report());
      }
      return timeline;
    }
  }
}
