package io.zbpp.schedule.algorithms;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Shape;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InterleavedOneFOneBTest {
  private final InterleavedOneFOneB interleaved = new InterleavedOneFOneB();

  @ParameterizedTest(name = "p={0} m={1}")
  @CsvSource({"1,1", "2,1", "3,5", "4,4", "4,9", "8,3"})
  void withOneChunkPerStageIsPlainOneFOneB(int p, int m) {
    CostModel costs = CostModel.uniform(p, 1, 1, 1, 0);

    Plan plan = interleaved.plan(new Shape(p, m, 1), costs);

    assertThat(plan.stages()).isEqualTo(new OneFOneB().plan(Shape.of(p, m), costs).stages());
  }

  @ParameterizedTest(name = "p={0} m={1} v={2}")
  @CsvSource({"3,1,2", "3,2,2", "4,5,2", "4,7,3", "8,9,2", "8,15,3"})
  void forOtherMicrobatchCountsIsThePaddedPlanWithoutThePaddingMicrobatches(int p, int m, int v) {
    CostModel costs = CostModel.uniform(p, 1, 1, 1, 0);
    int padded = (m + p - 1) / p * p;

    Plan plan = interleaved.plan(new Shape(p, m, v), costs);
    Plan full = interleaved.plan(new Shape(p, padded, v), costs);

    for (int s = 0; s < p; s++) {
      List<Instruction> kept = full.stage(s).stream().filter(in -> in.microbatch() < m).toList();
      assertThat(plan.stage(s)).as("stage %d", s).isEqualTo(kept);
    }
  }
}
