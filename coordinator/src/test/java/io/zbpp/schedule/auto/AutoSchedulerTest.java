package io.zbpp.schedule.auto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Validator;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AutoSchedulerTest {
  private static final CostModel UNIT = CostModel.uniform(4, 1, 1, 1, 0);

  @Test
  void rejectsALimitBelowOneMicrobatchsForwardMemory() {
    CostModel costs = CostModel.builder(2).memF(1, 2).memB(-0.5, -1).memW(-0.5, -1).memLimit(1.5).build();
    assertThatThrownBy(() -> AutoScheduler.plan(Shape.of(2, 4), costs))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("memLimit [1.5]: below one microbatch's activation memory; give at least 2 "
            + "(max over stages of ΔM(F) + max(0, ΔM(B)))");
  }

  @Test
  void rejectsMultiChunkShapes() {
    assertThatThrownBy(() -> AutoScheduler.plan(new Shape(4, 8, 2), UNIT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("chunks [2]: the automatic zero-bubble schedule is single-chunk; give 1");
  }

  @Test
  void rejectsAShapeWithAnotherStageCount() {
    assertThatThrownBy(() -> AutoScheduler.plan(Shape.of(3, 8), UNIT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stages [3]: the cost model has 4");
  }

  @Test
  void rejectsMemoryThatGrowsWithEveryMicrobatch() {
    CostModel leaky = CostModel.builder(2).mem(1, 0, 0).memLimit(3).build();
    assertThatThrownBy(() -> AutoScheduler.plan(Shape.of(2, 8), leaky))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("memLimit [3]: the automatic zero-bubble schedule cannot keep every stage");
  }

  /**
   * Stage 0 is memory-bound to two warm-up forwards while stage 1 could take all three; the reference
   * heuristic then lets stage 1 run ahead of its input and never schedules stage 0's third forward.
   */
  @Test
  void warmUpNeverRunsAheadOfTheUpstreamStage() {
    CostModel costs = CostModel.builder(3).tf(10, 1, 1).tb(1, 1, 15).tw(1).memF(1, 0.5, 0.5)
        .memB(-0.5, -0.25, -0.25).memW(-0.5, -0.25, -0.25).memLimit(2).build();
    for (Choices c : Choices.all()) {
      AutoResult r = AutoScheduler.withChoices("zb-auto", Shape.of(3, 3), costs, c);
      var v = Validator.validate(r.plan(), costs);
      assertThat(v.ok()).as(v::report).isTrue();
    }
  }

  /** With T_F = T_B = T_W and no comm: ZB-1p has ZB-H1's bubble (p−1)(T_F+T_B−T_W), ZB-2p none (docs/design.md §3). */
  @ParameterizedTest
  @CsvSource({"4, 12", "8, 24", "16, 48", "8, 64"})
  void equalCostsGiveTheHandcraftedBubbles(int p, int m) {
    CostModel costs = CostModel.uniform(p, 1, 1, 1, 0);
    Shape shape = Shape.of(p, m);
    assertThat(AutoZeroBubble.oneP().search(shape, costs).cost()).isEqualTo(3.0 * m + (p - 1));
    assertThat(AutoZeroBubble.twoP().search(shape, costs).cost()).isEqualTo(3.0 * m);
  }

  @Test
  void unlimitedMemoryLeavesNoBubbleOnEqualCosts() {
    CostModel costs = CostModel.uniform(8, 1, 1, 1, 0);
    AutoResult r = AutoScheduler.search(Shape.of(8, 24), costs);
    assertThat(r.cost()).isEqualTo(72.0);
    assertThat(r.plan().schedule()).isEqualTo("zb-auto");
  }

  /** A positive ΔM(B) is reserved in the warm-up, so the first B still fits at the smallest limit and above. */
  @ParameterizedTest
  @CsvSource({"1.5", "2", "4.5"})
  void keepsTheLimitWhenBackwardAllocates(double limit) {
    CostModel costs = CostModel.builder(4).times(1, 1, 1).comm(0.1).mem(1, 0.5, -1.5).memLimit(limit).build();
    assertThat(AutoScheduler.minimumLimit(costs)).isEqualTo(1.5);
    var v = Validator.validate(AutoScheduler.plan(Shape.of(4, 12), costs), costs);
    assertThat(v.ok()).as(v::report).isTrue();
  }

  @Test
  void zb1pAndZb2pIgnoreTheModelsOwnLimit() {
    Shape shape = Shape.of(4, 12);
    for (AutoZeroBubble s : new AutoZeroBubble[] {AutoZeroBubble.oneP(), AutoZeroBubble.twoP()}) {
      assertThat(s.plan(shape, UNIT.withMemLimit(1))).isEqualTo(s.plan(shape, UNIT));
    }
    assertThat(AutoZeroBubble.oneP().limit(UNIT)).isEqualTo(4.0);
    assertThat(AutoZeroBubble.twoP().limit(UNIT)).isEqualTo(8.0);
    assertThat(AutoZeroBubble.auto().limit(UNIT.withMemLimit(5))).isEqualTo(5.0);
  }

  @Test
  void zbAutoHonoursTheModelsLimit() {
    Shape shape = Shape.of(4, 12);
    for (double limit : new double[] {1, 2, 3, 5, 7}) {
      CostModel costs = UNIT.withMemLimit(limit);
      var t = Validator.validate(AutoZeroBubble.auto().plan(shape, costs), costs).orThrow();
      for (int s = 0; s < 4; s++) {
        assertThat(t.peakMemory(s)).isLessThanOrEqualTo(limit);
      }
    }
  }

  @Test
  void registersTheThreeSchedulersByName() {
    assertThat(Schedules.names()).contains("zb-1p", "zb-2p", "zb-auto");
    for (String name : new String[] {"zb-1p", "zb-2p", "zb-auto"}) {
      assertThat(Schedules.byName(name).name()).isEqualTo(name);
      assertThat(Schedules.byName(name).plan(Shape.of(4, 8), UNIT).schedule()).isEqualTo(name);
    }
  }

  @Test
  void searchTriesEightDistinctCombinationsStartingWithAllOn() {
    assertThat(new HashSet<>(Choices.all())).hasSize(8);
    assertThat(Choices.all().get(0)).isEqualTo(new Choices(true, true, true));
    assertThat(Choices.all().get(0)).hasToString("+bubbleBeforeFirstB+prioritizeB+greedyW");
  }
}
