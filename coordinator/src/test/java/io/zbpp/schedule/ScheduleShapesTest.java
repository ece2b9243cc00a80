package io.zbpp.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScheduleShapesTest {
  static Stream<Arguments> everyScheduleShapeAndV() {
    List<Arguments> out = new ArrayList<>();
    for (String name : Schedules.names()) {
      for (int[] pm : new int[][] {{1, 1}, {1, 3}, {2, 1}, {2, 4}, {3, 2}, {4, 6}}) {
        for (int v = 1; v <= 3; v++) {
          out.add(Arguments.of(name, new Shape(pm[0], pm[1], v)));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyScheduleShapeAndV")
  void aScheduleRejectsExactlyTheShapesListedForItAndPlansEveryOther(String name, Shape shape) {
    CostModel costs = CostModel.uniform(shape.stages(), 1, 1, 1, 0);
    if (ScheduleShapes.mustReject(name, shape)) {
      assertThatThrownBy(() -> Schedules.byName(name).plan(shape, costs))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("chunks [" + shape.chunksPerStage()
              + "]: the automatic zero-bubble schedule is single-chunk");
      return;
    }
    Plan plan = Schedules.byName(name).plan(shape, costs);

    assertThat(plan.microbatches()).isEqualTo(shape.microbatches());
    assertThat(Validator.validate(plan, costs).problems()).isEmpty();
  }
}
