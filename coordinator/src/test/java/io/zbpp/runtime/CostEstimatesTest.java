package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.PassRecord;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.StageTrace;
import io.zbpp.schedule.CostModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CostEstimatesTest {
  private static final long MS = 1_000_000;

  /**
   * Two stages, chunk s on stage s, two microbatches run back to back: F then B then W on each stage, stage 1's
   * F starting {@code gapMs} after stage 0's F of the same microbatch ends.
   */
  private static IterationResult iteration(int it, double f0, double f1, double gapMs) {
    List<StageTrace> traces = new ArrayList<>();
    double[] f = {f0, f1};
    for (int s = 0; s < 2; s++) {
      List<PassRecord> passes = new ArrayList<>();
      long t = s == 0 ? 0 : Math.round((f0 + gapMs) * MS);
      for (int mb = 0; mb < 2; mb++) {
        long start = s == 0 ? t : Math.round(((mb + 1) * f0 + gapMs + mb * 100) * MS);
        long fEnd = start + Math.round(f[s] * MS);
        passes.add(new PassRecord(ProgramOp.F, mb, s, start, fEnd));
        passes.add(new PassRecord(ProgramOp.B, mb, s, fEnd, fEnd + 2 * MS));
        passes.add(new PassRecord(ProgramOp.W, mb, s, fEnd + 2 * MS, fEnd + 3 * MS));
        t = fEnd + 3 * MS;
      }
      traces.add(new StageTrace(s, passes, 1000L * (s + 1) + it));
    }
    return new IterationResult(it, 0, 0, 0, traces);
  }

  @Test
  void mediansOverTheWindowLeaveOutTheFirstIterationAndOutliers() {
    CostEstimates e = new CostEstimates(2, 5);
    e.add(iteration(0, 50, 50, 0));
    assertThat(e.samples()).isZero();
    assertThat(e.stageTime(0, ProgramOp.F)).isEmpty();

    e.add(iteration(1, 1, 3, 0.5));
    e.add(iteration(2, 1, 90, 0.5)); // one slow outlier on stage 1
    e.add(iteration(3, 1, 3, 0.5));

    assertThat(e.samples()).isEqualTo(3);
    assertThat(e.stageTime(0, ProgramOp.F).getAsDouble()).isEqualTo(1.0);
    assertThat(e.stageTime(1, ProgramOp.F).getAsDouble()).isEqualTo(3.0);
    assertThat(e.stageTime(1, ProgramOp.B).getAsDouble()).isEqualTo(2.0);
    assertThat(e.stageTime(1, ProgramOp.W).getAsDouble()).isEqualTo(1.0);
    assertThat(e.comm(0).getAsDouble()).isEqualTo(0.5);
    assertThat(e.comm(1)).isEmpty();
    assertThat(e.peakBytes(1)).isEqualTo(2003);
  }

  @Test
  void theWindowSlidesSoAStageThatBecameSlowerIsSeenAsSlower() {
    CostEstimates e = new CostEstimates(2, 3);
    for (int it = 0; it < 4; it++) {
      e.add(iteration(it, 1, 2, 0));
    }
    assertThat(e.stageTime(1, ProgramOp.F).getAsDouble()).isEqualTo(2.0);
    e.add(iteration(4, 1, 3, 0));
    assertThat(e.stageTime(1, ProgramOp.F).getAsDouble()).isEqualTo(2.0); // 2, 2, 3
    e.add(iteration(5, 1, 3, 0));
    assertThat(e.stageTime(1, ProgramOp.F).getAsDouble()).isEqualTo(3.0); // 2, 3, 3

    CostModel base = CostModel.builder(2).times(1, 1, 1).comm(7).mem(1, 0, -1).build();
    CostModel measured = e.apply(base, false);
    assertThat(measured.tf(0)).isEqualTo(1.0);
    assertThat(measured.tf(1)).isEqualTo(3.0);
    assertThat(measured.tb(1)).isEqualTo(2.0);
    assertThat(measured.tw(1)).isEqualTo(1.0);
    assertThat(measured.comm()).isEqualTo(7.0);
    assertThat(e.apply(base, true).comm()).isEqualTo(0.0);
  }
}
