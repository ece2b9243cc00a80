package io.zbpp.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

  /**
   * T_comm on every kind of edge: T_F = 1, T_B = 2, T_W = 3, T_comm = 10, a chunk pass takes T/v. An edge between
   * chunks on different stages adds 10; an edge on one stage (a pass after its own F or B, ZB-V's turn, a single
   * stage holding two chunks) adds nothing.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "F after the previous stage's F, cross-stage | 0: F0 B0 W0 / 1: F0 B0 W0 | 1 | 0 | 11",
      "B after its own F, same stage                | 0: F0 B0 W0 / 1: F0 B0 W0 | 1 | 1 | 12",
      "W after its own B, same stage                | 0: F0 B0 W0 / 1: F0 B0 W0 | 1 | 2 | 14",
      "B after the next stage's B, cross-stage      | 0: F0 B0 W0 / 1: F0 B0 W0 | 0 | 1 | 24",
      "W after its own B on the first stage         | 0: F0 B0 W0 / 1: F0 B0 W0 | 0 | 2 | 26",
      "BW after its own F, same stage               | 0: F0 BW0 / 1: F0 BW0 | 1 | 1 | 12",
      "BW after the next stage's BW, cross-stage    | 0: F0 BW0 / 1: F0 BW0 | 0 | 1 | 27",
      "BW after the next stage's B, cross-stage     | 0: F0 BW0 / 1: F0 B0 W0 | 0 | 1 | 24",
      "B after the next stage's BW, cross-stage     | 0: F0 B0 W0 / 1: F0 BW0 | 0 | 1 | 27",
      "V p=1: F after the previous chunk's F, same stage | 0: F0.0 F0.1 B0.1 B0.0 W0.1 W0.0 | 0 | 1 | 0.5",
      "V p=1: B after the next chunk's B, same stage     | 0: F0.0 F0.1 B0.1 B0.0 W0.1 W0.0 | 0 | 3 | 2",
      "V p=1: BW after the next chunk's BW, same stage   | 0: F0.0 F0.1 BW0.1 BW0.0 | 0 | 3 | 3.5",
      "V p=2: F after the previous chunk's F, cross-stage | 0: F0.0 F0.3 B0.3 W0.3 B0.0 W0.0 / 1: F0.1 F0.2 B0.2 B0.1 W0.2 W0.1 | 1 | 0 | 10.5",
      "V p=2: F at the turn, same stage                  | 0: F0.0 F0.3 B0.3 W0.3 B0.0 W0.0 / 1: F0.1 F0.2 B0.2 B0.1 W0.2 W0.1 | 1 | 1 | 11",
      "V p=2: F back to the first stage, cross-stage     | 0: F0.0 F0.3 B0.3 W0.3 B0.0 W0.0 / 1: F0.1 F0.2 B0.2 B0.1 W0.2 W0.1 | 0 | 1 | 21.5",
      "V p=2: B after its own F on the last chunk        | 0: F0.0 F0.3 B0.3 W0.3 B0.0 W0.0 / 1: F0.1 F0.2 B0.2 B0.1 W0.2 W0.1 | 0 | 2 | 22",
      "V p=2: W after its own B, same stage              | 0: F0.0 F0.3 B0.3 W0.3 B0.0 W0.0 / 1: F0.1 F0.2 B0.2 B0.1 W0.2 W0.1 | 0 | 3 | 23",
      "V p=2: B after the next chunk's B, cross-stage    | 0: F0.0 F0.3 B0.3 W0.3 B0.0 W0.0 / 1: F0.1 F0.2 B0.2 B0.1 W0.2 W0.1 | 1 | 2 | 33",
      "V p=2: B at the turn, same stage                  | 0: F0.0 F0.3 B0.3 W0.3 B0.0 W0.0 / 1: F0.1 F0.2 B0.2 B0.1 W0.2 W0.1 | 1 | 3 | 34",
      "V p=2: B back to the first stage, cross-stage     | 0: F0.0 F0.3 B0.3 W0.3 B0.0 W0.0 / 1: F0.1 F0.2 B0.2 B0.1 W0.2 W0.1 | 0 | 4 | 45",
      "V p=2: BW at the turn, same stage                 | 0: F0.0 F0.3 BW0.3 BW0.0 / 1: F0.1 F0.2 BW0.2 BW0.1 | 1 | 3 | 37",
      "V p=2: BW after the next chunk's BW, cross-stage  | 0: F0.0 F0.3 BW0.3 BW0.0 / 1: F0.1 F0.2 BW0.2 BW0.1 | 0 | 3 | 49.5",
      "interleaved p=2: F chunk 1 to 2, cross-stage      | 0: F0.0 F0.2 B0.2 B0.0 W0.2 W0.0 / 1: F0.1 F0.3 B0.3 B0.1 W0.3 W0.1 | 0 | 1 | 21",
      "interleaved p=2: B chunk 3 to 2, cross-stage      | 0: F0.0 F0.2 B0.2 B0.0 W0.2 W0.0 / 1: F0.1 F0.3 B0.3 B0.1 W0.3 W0.1 | 0 | 2 | 43",
      "interleaved p=2: B chunk 2 to 1, cross-stage      | 0: F0.0 F0.2 B0.2 B0.0 W0.2 W0.0 / 1: F0.1 F0.3 B0.3 B0.1 W0.3 W0.1 | 1 | 3 | 54",
      "interleaved p=2: W after its own B, same stage    | 0: F0.0 F0.2 B0.2 B0.0 W0.2 W0.0 / 1: F0.1 F0.3 B0.3 B0.1 W0.3 W0.1 | 1 | 4 | 55"})
  void addsCommOnlyOnEdgesBetweenStages(String edge, String planText, int stage, int pass, double start) {
    Plan plan = PlanText.parse(planText.replace("/", "\n"));
    CostModel costs = CostModel.uniform(plan.stageCount(), 1, 2, 3, 10);

    assertThat(Simulator.simulate(plan, costs).start(stage, pass)).as(edge).isEqualTo(start);
  }
}
