package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.PassRecord;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.StageTrace;
import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.auto.AutoZeroBubble;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The re-planner's decisions from synthetic measurements: p = 8, m = 8, the planner told equal stages; stage 3
 * truly 1.5x slower makes zb-auto's plan from the measured costs predicted faster by about 9 %.
 */
class ReplannerTest {
  private static final int P = 8;
  private static final Shape SHAPE = Shape.of(P, 8);
  private static final CostModel TOLD = CostModel.builder(P).times(18.5, 18.1, 9.3).comm(0.6).mem(10, -4, -6)
      .build();
  private static final Plan STATIC = AutoZeroBubble.auto().plan(SHAPE, TOLD);

  /** One iteration whose passes of stage s take {@code scale} x the told time x {@code slow[s]}. */
  private static IterationResult iteration(int it, double scale, double... slow) {
    List<StageTrace> traces = new ArrayList<>();
    for (int s = 0; s < P; s++) {
      List<PassRecord> passes = new ArrayList<>();
      long t = 0;
      for (int mb = 0; mb < 2; mb++) {
        for (ProgramOp op : List.of(ProgramOp.F, ProgramOp.B, ProgramOp.W)) {
          double ms = scale * slow[s] * (op == ProgramOp.F ? 18.5 : op == ProgramOp.B ? 18.1 : 9.3);
          long end = t + Math.round(ms * 1e6);
          passes.add(new PassRecord(op, mb, s, t, end));
          t = end;
        }
      }
      traces.add(new StageTrace(s, passes, 0));
    }
    return new IterationResult(it, 0, 0, 0, traces);
  }

  private static double[] slowStage3(double factor) {
    double[] f = {1, 1, 1, 1, 1, 1, 1, 1};
    f[3] = factor;
    return f;
  }

  private static Replanner replanner(ReplanPolicy.Mode mode) {
    return new Replanner(new ReplanPolicy(mode, ReplanPolicy.DEFAULT_THRESHOLD), AutoZeroBubble.auto(), SHAPE,
        OptimizerOptions.Check.NONE, STATIC, TOLD, false, true);
  }

  /** Feeds iterations from {@code from} to {@code to} (exclusive); returns the first swap proposed, if any. */
  private static Optional<Replanner.Swap> run(Replanner r, CostEstimates e, int from, int to, double[] slow) {
    for (int it = from; it < to; it++) {
      e.add(iteration(it, 0.1, slow));
      Optional<Replanner.Swap> s = r.consider(e, it + 1);
      if (s.isPresent()) {
        return s;
      }
    }
    return Optional.empty();
  }

  @Test
  void aTrulySlowerStageSwapsOnceTheWindowIsFullAndConfirmed() {
    Replanner r = replanner(ReplanPolicy.Mode.CONTINUOUS);
    CostEstimates e = new CostEstimates(P, 5);

    Optional<Replanner.Swap> swap = run(r, e, 0, 20, slowStage3(1.5));

    // the first iteration is left out, five fill the window, a second look confirms: decided after iteration 6
    assertThat(swap).isPresent();
    assertThat(swap.get().report().iteration()).isEqualTo(7);
    assertThat(swap.get().report().gain()).isGreaterThan(0.03);
    assertThat(swap.get().report().reason()).isEqualTo("measured work against the plan's: stage 3 1.5x");
    assertThat(swap.get().compiled().plan()).isNotEqualTo(STATIC);
    // predicted under the measured costs, in ms: the told times x 0.1
    assertThat(swap.get().report().oldPredictedMs()).isEqualTo(r.predicted(STATIC, swap.get().measured()));

    r.swapped(swap.get(), e);
    assertThat(e.samples()).isZero();
    assertThat(run(r, e, 7, 40, slowStage3(1.5))).as("no flapping under the same costs").isEmpty();
  }

  @Test
  void equalStagesNeverSwapAndASlowdownIsFollowedWithinAWindow() {
    Replanner r = replanner(ReplanPolicy.Mode.CONTINUOUS);
    CostEstimates e = new CostEstimates(P, 5);
    assertThat(run(r, e, 0, 10, slowStage3(1))).isEmpty();

    Optional<Replanner.Swap> swap = run(r, e, 10, 20, slowStage3(1.5));

    // slow from iteration 10: three of five samples move the medians after iteration 12, confirmed after 13
    assertThat(swap).isPresent();
    assertThat(swap.get().report().iteration()).isEqualTo(14);
  }

  @Test
  void offNeverLooksAndOnceLooksOnce() {
    assertThat(run(replanner(ReplanPolicy.Mode.OFF), new CostEstimates(P, 5), 0, 30, slowStage3(1.5))).isEmpty();

    // once: the first look finds nothing, so a later slowdown is not followed
    Replanner once = replanner(ReplanPolicy.Mode.ONCE);
    CostEstimates e = new CostEstimates(P, 5);
    assertThat(run(once, e, 0, 10, slowStage3(1))).isEmpty();
    assertThat(run(once, e, 10, 30, slowStage3(1.5))).isEmpty();

    // once: a first look that finds a gain swaps, and nothing after
    Replanner first = replanner(ReplanPolicy.Mode.ONCE);
    CostEstimates e2 = new CostEstimates(P, 5);
    Optional<Replanner.Swap> swap = run(first, e2, 0, 20, slowStage3(1.5));
    assertThat(swap).isPresent();
    first.swapped(swap.get(), e2);
    assertThat(run(first, e2, 20, 40, slowStage3(3))).isEmpty();
  }

  @Test
  void aGainBelowTheThresholdDoesNotSwap() {
    Replanner r = new Replanner(new ReplanPolicy(ReplanPolicy.Mode.CONTINUOUS, 0.5), AutoZeroBubble.auto(), SHAPE,
        OptimizerOptions.Check.NONE, STATIC, TOLD, false, true);
    assertThat(run(r, new CostEstimates(P, 5), 0, 20, slowStage3(1.5))).isEmpty();
  }

  @Test
  void thePolicyOfTheFieldsDefaultsBySchedule() {
    assertThat(ReplanPolicy.of("", 0, "zb-auto", false)).isEqualTo(new ReplanPolicy(ReplanPolicy.Mode.CONTINUOUS,
        0.03));
    assertThat(ReplanPolicy.of("", 0, "zb-2p", false).mode()).isEqualTo(ReplanPolicy.Mode.CONTINUOUS);
    assertThat(ReplanPolicy.of("", 0, "1f1b", false).mode()).isEqualTo(ReplanPolicy.Mode.OFF);
    assertThat(ReplanPolicy.of("", 0, "zb-auto", true).mode()).isEqualTo(ReplanPolicy.Mode.OFF);
    assertThat(ReplanPolicy.of("once", 5, "zb-1p", false)).isEqualTo(new ReplanPolicy(ReplanPolicy.Mode.ONCE,
        0.05));
    assertThatThrownBy(() -> ReplanPolicy.of("sometimes", 0, "zb-auto", false))
        .hasMessage("replan [sometimes]: unknown; expected off, once or continuous");
    assertThatThrownBy(() -> ReplanPolicy.of("continuous", 0, "zb-h1", false))
        .hasMessage("replan [continuous]: re-planning needs one of the automatic schedules zb-1p, zb-2p, zb-auto; "
            + "schedule is zb-h1");
    assertThatThrownBy(() -> ReplanPolicy.of("once", 100, "zb-auto", false))
        .hasMessage("replanThreshold [100.0]: expected a percentage >= 0 and < 100");
  }
}
