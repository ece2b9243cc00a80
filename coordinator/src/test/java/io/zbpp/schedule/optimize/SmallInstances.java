package io.zbpp.schedule.optimize;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Placement;
import io.zbpp.schedule.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random heterogeneous instances for tests, and a plan that is valid under any limit ≥ ΔM(F). */
final class SmallInstances {
  private SmallInstances() {}

  /**
   * Pass times in [1, 9] with one decimal, T_comm in [0, 1], ΔM(F) = M_B in [2, 5], M_W in [1, M_B], and a
   * limit of k·M_B on the largest stage with k random in [1, p + 1].
   */
  static CostModel random(int p, long seed) {
    Random r = new Random(seed);
    double[] tf = new double[p];
    double[] tb = new double[p];
    double[] tw = new double[p];
    double[] mf = new double[p];
    double[] mb = new double[p];
    double[] mw = new double[p];
    double maxMb = 0;
    for (int s = 0; s < p; s++) {
      tf[s] = tenth(r, 10, 90);
      tb[s] = tenth(r, 10, 90);
      tw[s] = tenth(r, 10, 90);
      double mB = 2 + r.nextInt(4);
      double mW = 1 + r.nextInt((int) mB);
      mf[s] = mB;
      mb[s] = mW - mB;
      mw[s] = -mW;
      maxMb = Math.max(maxMb, mB);
    }
    double limit = maxMb * (1 + r.nextInt(p + 1));
    return CostModel.builder(p).tf(tf).tb(tb).tw(tw).comm(tenth(r, 0, 10)).memF(mf).memB(mb).memW(mw)
        .memLimit(limit).build();
  }

  private static double tenth(Random r, int lo, int hi) {
    return (lo + r.nextInt(hi - lo + 1)) / 10.0;
  }

  /** Every stage runs F, B, W of one microbatch before the next: never more than one activation held. */
  static Plan sequential(int p, int m) {
    List<List<Instruction>> stages = new ArrayList<>();
    for (int s = 0; s < p; s++) {
      List<Instruction> l = new ArrayList<>();
      for (int j = 0; j < m; j++) {
        l.add(Instruction.of(s, Op.F, j));
        l.add(Instruction.of(s, Op.B, j));
        l.add(Instruction.of(s, Op.W, j));
      }
      stages.add(l);
    }
    return new Plan("sequential", m, Placement.single(p), stages);
  }
}
