package io.zbpp.compile;

import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Placement;
import io.zbpp.schedule.Plan;
import java.util.ArrayList;
import java.util.List;

/**
 * Plan shapes the registry may not have yet, built by hand for the compiler tests: a GPipe-like split-backward
 * plan valid for any placement (every F in chunk order, then every B in reverse chunk order, then every W).
 */
public final class TestPlans {
  private TestPlans() {}

  public static Plan gpipeSplit(Placement pl, int m) {
    List<List<Instruction>> stages = new ArrayList<>();
    for (int s = 0; s < pl.stages(); s++) {
      List<Integer> mine = new ArrayList<>();
      for (int c = 0; c < pl.chunks(); c++) {
        if (pl.stageOf(c) == s) {
          mine.add(c);
        }
      }
      List<Instruction> ops = new ArrayList<>();
      for (int c : mine) {
        for (int j = 0; j < m; j++) {
          ops.add(new Instruction(s, Op.F, j, c));
        }
      }
      for (int k = mine.size() - 1; k >= 0; k--) {
        for (int j = 0; j < m; j++) {
          ops.add(new Instruction(s, Op.B, j, mine.get(k)));
        }
      }
      for (int c : mine) {
        for (int j = 0; j < m; j++) {
          ops.add(new Instruction(s, Op.W, j, c));
        }
      }
      stages.add(ops);
    }
    return new Plan("gpipe-split", m, pl, stages);
  }
}
