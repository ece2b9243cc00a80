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
 * The handcrafted zero-bubble schedules ZB-H1 and ZB-H2 (docs/design.md §3): one chunk per stage, B and W split,
 * the same order whatever the costs.
 *
 * <p>Stage s runs {@code warmup(s)} forwards, then repeats: B; if a forward remains, a W when the stage
 * already holds {@code cap} in-flight microbatches (F done, W not yet), then the F; once the forwards are
 * done, one W after every B; finally the W's left over fill the tail. B is never delayed behind a W it does
 * not need, so B's run as early as the 1F1B skeleton allows.
 * <ul>
 *   <li>ZB-H1: warm-up p−s (1F1B's), cap p. Peak p·M_B; with equal costs, no communication and
 *       T_W ≤ T_F, T_B the bubble is (p−1)(T_F+T_B−T_W).</li>
 *   <li>ZB-H2: warm-up 2(p−1−s)+1, cap 2p−1, so stage 0 runs 2p−1 forwards before its first B and the
 *       pipeline forms a parallelogram. Peak (2p−1)·M_B; bubble (p−1)(T_F+T_B−2T_W) while that is ≥ 0,
 *       and (p−1)(T_F+T_B+2T_comm−2T_W) with communication.</li>
 * </ul>
 * Warm-ups are capped at m. Valid for every p, m ≥ 1 and any costs: each stage's F/B skeleton is 1F1B's
 * with warm-ups that do not grow along the pipeline, so no B waits on a forward its stage has not yet run,
 * and W's depend only on their own stage's B. The cost model's memory limit is not consulted. With the
 * paper's profiled costs this reproduces the published bubble rates of both schedules (docs/design.md §7).
 */
public final class ZeroBubbleH implements Scheduler {
  private final String name;
  private final boolean wide;

  private ZeroBubbleH(String name, boolean wide) {
    this.name = name;
    this.wide = wide;
  }

  /** ZB-H1: 1F1B's warm-up, at most p microbatches in flight per stage. */
  public static ZeroBubbleH h1() {
    return new ZeroBubbleH("zb-h1", false);
  }

  /** ZB-H2: warm-up 2(p−1−s)+1, at most 2p−1 microbatches in flight per stage. */
  public static ZeroBubbleH h2() {
    return new ZeroBubbleH("zb-h2", true);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Plan plan(Shape shape, CostModel costs) {
    int p = shape.stages();
    List<List<Instruction>> stages = new ArrayList<>();
    for (int s = 0; s < p; s++) {
      stages.add(stage(s, p, shape.microbatches()));
    }
    return new Plan(name, shape.microbatches(), Placement.single(p), stages);
  }

  private List<Instruction> stage(int s, int p, int m) {
    int cap = wide ? 2 * p - 1 : p;
    int warmup = Math.min(m, wide ? 2 * (p - 1 - s) + 1 : p - s);
    List<Instruction> ops = new ArrayList<>();
    int f = 0;
    int w = 0;
    for (; f < warmup; f++) {
      ops.add(Instruction.of(s, Op.F, f));
    }
    for (int b = 0; b < m; b++) {
      ops.add(Instruction.of(s, Op.B, b));
      if (f < m) {
        if (f - w >= cap) {
          ops.add(Instruction.of(s, Op.W, w++));
        }
        ops.add(Instruction.of(s, Op.F, f++));
      } else {
        ops.add(Instruction.of(s, Op.W, w++));
      }
    }
    while (w < m) {
      ops.add(Instruction.of(s, Op.W, w++));
    }
    return ops;
  }
}
