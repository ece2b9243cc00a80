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
 * GPipe: every stage runs all m forwards, then all m fused backwards, both in microbatch order. With equal
 * costs and no communication its bubble is (p−1)(T_F+T_B+T_W), like 1F1B, but its peak memory is m·M_B on
 * every stage. Ignores the cost model and its memory limit; valid for every p, m ≥ 1.
 */
public final class GPipe implements Scheduler {
  @Override
  public String name() {
    return "gpipe";
  }

  @Override
  public Plan plan(Shape shape, CostModel costs) {
    int p = shape.stages();
    int m = shape.microbatches();
    List<List<Instruction>> stages = new ArrayList<>();
    for (int s = 0; s < p; s++) {
      List<Instruction> ops = new ArrayList<>();
      for (int j = 0; j < m; j++) {
        ops.add(Instruction.of(s, Op.F, j));
      }
      for (int j = 0; j < m; j++) {
        ops.add(Instruction.of(s, Op.BW, j));
      }
      stages.add(ops);
    }
    return new Plan(name(), m, Placement.single(p), stages);
  }
}
