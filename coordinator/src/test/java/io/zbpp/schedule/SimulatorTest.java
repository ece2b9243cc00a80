package io.zbpp.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SimulatorTest {
  @Test
  void runsEachPassAsSoonAsItsDependenciesAndItsStageAllowWithCommOnCrossStageEdges() {
    // 1F1B, p=2, m=2: T_F=1, fused BW = T_B + T_W = 3, T_comm = 0.5.
    Plan plan = PlanText.parse("0: F0 F1 BW0 BW1\n1: F0 BW0 F1 BW1\n");
    CostModel costs = CostModel.uniform(2, 1, 2, 1, 0.5);

    Timeline tl = Simulator.simulate(plan, costs);

    double[][] expected = {{0, 1}, {1, 2}, {6, 9}, {10, 13}};
    for (int k = 0; k < 4; k++) {
      assertThat(tl.start(0, k)).as("stage 0 pass %d", k).isEqualTo(expected[k][0]);
      assertThat(tl.end(0, k)).as("stage 0 pass %d", k).isEqualTo(expected[k][1]);
    }
    double[][] expected1 = {{1.5, 2.5}, {2.5, 5.5}, {5.5, 6.5}, {6.5, 9.5}};
    for (int k = 0; k < 4; k++) {
      assertThat(tl.start(1, k)).as("stage 1 pass %d", k).isEqualTo(expected1[k][0]);
      assertThat(tl.end(1, k)).as("stage 1 pass %d", k).isEqualTo(expected1[k][1]);
    }
    assertThat(tl.span(0)).isEqualTo(13);
    assertThat(tl.span(1)).isEqualTo(8);
    assertThat(tl.cost()).isEqualTo(13);
    assertThat(tl.makespan()).isEqualTo(13);
    assertThat(tl.idle(0)).isEqualTo(5);
    assertThat(tl.idle(1)).isEqualTo(0);
    assertThat(tl.bubbleRate()).isCloseTo(5.0 / 13, within(1e-12));
  }

  @Test
  void aChunkPassTakesTheStageTimeDividedByItsChunksAndSameStageEdgesCostNoComm() {
    Plan plan = PlanText.parse("0: F0.0 F0.1 B0.1 B0.0 W0.1 W0.0\n");
    CostModel costs = CostModel.uniform(1, 2, 4, 6, 5);

    Timeline tl = Simulator.simulate(plan, costs);

    double[] ends = {1, 2, 4, 6, 9, 12};
    for (int k = 0; k < ends.length; k++) {
      assertThat(tl.end(0, k)).as("pass %d", k).isEqualTo(ends[k]);
    }
    assertThat(tl.cost()).isEqualTo(12);
  }

  @Test
  void peakMemoryIsTheHighestRunningSumOfDeltasInPlanOrder() {
    Plan plan = PlanText.parse("0: F0 F1 B0 W0 B1 W1\n");
    CostModel costs = CostModel.builder(1).mem(2, -0.5, -1.5).build();

    assertThat(Simulator.simulate(plan, costs).peakMemory(0)).isEqualTo(4);
  }

  @Test
  void aWaitsForItsOwnBOnlyAndBWaitsForTheNextStagesB() {
    Plan plan = PlanText.parse("0: F0 B0 W0\n1: F0 B0 W0\n");
    CostModel costs = CostModel.uniform(2, 1, 1, 3, 0);

    Timeline tl = Simulator.simulate(plan, costs);

    assertThat(tl.start(1, 1)).isEqualTo(2);
    assertThat(tl.start(0, 1)).as("stage 0's B follows stage 1's B, not its W").isEqualTo(3);
    assertThat(tl.start(0, 2)).isEqualTo(4);
  }

  @Test
  void throwsOnDeadlockNamingWhereEachStageWaits() {
    Plan plan = PlanText.parse("0: B0 F0 W0\n1: F0 B0 W0\n");

    assertThatThrownBy(() -> Simulator.simulate(plan, CostModel.uniform(2, 1, 1, 1, 0)))
        .isInstanceOf(InvalidPlanException.class)
        .hasMessage("deadlock: stage 0 waits at 0B0 (pass 0) for 1B0 (B after the next stage's B); "
            + "stage 1 waits at 1F0 (pass 0) for 0F0 (F after the previous stage's F)");
  }

  @Test
  void rejectsACostModelForAnotherNumberOfStages() {
    Plan plan = PlanText.parse("0: F0 BW0\n1: F0 BW0\n");

    assertThatThrownBy(() -> Simulator.simulate(plan, CostModel.uniform(3, 1, 1, 1, 0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("cost model has 3 stages, plan has 2");
  }
}
