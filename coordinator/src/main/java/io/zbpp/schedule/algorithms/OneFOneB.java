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
 * 1F1B (PipeDream-flush): stage i runs min(p−1−i, m) warm-up forwards, then alternates one forward and one
 * fused backward, then drains the remaining backwards. Peak memory p·M_B on stage 0; bubble (p−1)(T_F+T_B+T_W)
 * with equal costs and no communication (docs/design.md §3).
 */
public final class OneFOneB implements Scheduler {
  @Override
  public String name() {
    return "1f1b";
  }

  @Override
  public Plan plan(Shape shape, CostModel costs) {
    int p = shape.stages();
    int m = shape.microbatches();
    List<List<Instruction>> stages = new ArrayList<>();
    for (int s = 0; s < p; s++) {
      List<Instruction> ops = new ArrayList<>();
      int warmup = Math.min(p - 1 - s, m);
      int f = 0;
      int b = 0;
      for (; f < warmup; f++) {
        ops.add(Instruction.of(s, Op.F, f));
      }
      while (f < m) {
        ops.add(Instruction.of(s, Op.F, f++));
        ops.add(Instruction.of(s, Op.BW, b++));
      }
      while (b < m) {
        ops.add(Instruction.of(s, Op.BW, b++));
      }
      stages.add(ops);
    }
    return new Plan(name(), m, Placement.single(p), stages);
  }
}
