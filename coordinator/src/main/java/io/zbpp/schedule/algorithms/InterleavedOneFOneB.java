package io.zbpp.schedule.algorithms;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Placement;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Scheduler;
import io.zbpp.schedule.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Interleaved 1F1B (Megatron-LM's virtual pipeline; docs/design.md §3): v = {@code shape.chunksPerStage()} chunks
 * per stage, chunk c on stage c mod p ({@link Placement#interleaved}), fused backward BW.
 *
 * <p>Microbatches are taken in groups of p (Megatron's unit); every stage runs the forwards of a group chunk by
 * chunk — the group's microbatches on its first local chunk, then on its second, … — and the backwards of a
 * group the same way with the local chunks in reverse. Stage s runs min(mv, (v−1)·p + 2(p−1−s) + 1)
 * forwards before its first backward (Megatron's warm-up plus the first steady forward), then alternates one
 * backward and one forward, then drains the backwards. With v = 1 it is plain 1F1B (warm-up p−s).
 *
 * <p><b>Any m:</b> Megatron requires m to be a multiple of p. For other m (including m &lt; p) the plan is
 * built for m rounded up to a multiple of p and the passes of the padding microbatches are then dropped.
 * Dropping whole microbatches keeps the plan deadlock-free (each stage's order on the remaining passes is a
 * restriction of a deadlock-free order, so no new cycle can appear); the price is idle time where the
 * padding microbatches would have run. Other generalisations — a smaller or larger last group — deadlock
 * (e.g. p=4, m=9, v=3), because the warm-up depth is tied to the group size. Valid for every p, m, v ≥ 1
 * (checked over a grid by the tests; validity does not depend on the costs). Ignores the memory limit.
 */
public final class InterleavedOneFOneB implements Scheduler {
  @Override
  public String name() {
    return "1f1b-i";
  }

  @Override
  public Plan plan(Shape shape, CostModel costs) {
    int p = shape.stages();
    int m = shape.microbatches();
    int v = shape.chunksPerStage();
    int padded = (m + p - 1) / p * p;
    List<int[]> forward = order(p, padded, v, false);
    List<int[]> backward = order(p, padded, v, true);
    List<List<Instruction>> stages = new ArrayList<>();
    for (int s = 0; s < p; s++) {
      int warmup = v == 1 ? p - s : (v - 1) * p + 2 * (p - 1 - s) + 1;
      stages.add(stage(s, p, m, Math.min(warmup, padded * v), forward, backward));
    }
    return new Plan(name(), m, Placement.interleaved(p, v), stages);
  }

  /** Megatron's order for the padded count, without the passes of the padding microbatches (≥ m). */
  private static List<Instruction> stage(int s, int p, int m, int warmup, List<int[]> forward,
      List<int[]> backward) {
    List<Instruction> ops = new ArrayList<>();
    int total = forward.size();
    int f = 0;
    for (; f < warmup; f++) {
      add(ops, m, pass(s, p, Op.F, forward.get(f)));
    }
    for (int b = 0; b < total; b++) {
      add(ops, m, pass(s, p, Op.BW, backward.get(b)));
      if (f < total) {
        add(ops, m, pass(s, p, Op.F, forward.get(f++)));
      }
    }
    return ops;
  }

  private static void add(List<Instruction> ops, int m, Instruction in) {
    if (in.microbatch() < m) {
      ops.add(in);
    }
  }

  private static Instruction pass(int s, int p, Op op, int[] localChunkAndMicrobatch) {
    return new Instruction(s, op, localChunkAndMicrobatch[1], localChunkAndMicrobatch[0] * p + s);
  }

  /**
   * The (local chunk, microbatch) sequence every stage follows for m a multiple of p: groups of p
   * microbatches, chunk by chunk within a group; local chunks in reverse for the backwards.
   */
  private static List<int[]> order(int p, int m, int v, boolean backward) {
    List<int[]> seq = new ArrayList<>(m * v);
    for (int base = 0; base < m; base += p) {
      for (int l = 0; l < v; l++) {
        for (int j = 0; j < p; j++) {
          seq.add(new int[] {backward ? v - 1 - l : l, base + j});
        }
      }
    }
    return seq;
  }
}
