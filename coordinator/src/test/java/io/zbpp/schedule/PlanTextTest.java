package io.zbpp.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PlanTextTest {
  static java.util.List<String> schedules() {
    return Schedules.names();
  }

  @ParameterizedTest
  @MethodSource("schedules")
  void everyAlgorithmsPlanRoundTripsThroughTheTextFormat(String name) {
    // Only the interleaved schedule takes a chunk count; zb-v fixes its own (2), the rest run one chunk.
    boolean interleaved = name.equals("1f1b-i");
    Shape[] shapes = {new Shape(1, 1, 1), new Shape(3, 5, interleaved ? 2 : 1), new Shape(4, 9, interleaved ? 3 : 1)};
    for (Shape shape : shapes) {
      Plan plan = Schedules.byName(name).plan(shape, CostModel.uniform(shape.stages(), 1, 2, 1, 0.1));

      Plan back = PlanText.parse(PlanText.formatNamed(plan));

      assertThat(back).as("%s %s", name, shape).isEqualTo(plan);
      assertThat(PlanText.format(back)).isEqualTo(PlanText.format(plan));
      for (var stage : plan.stages()) {
        for (Instruction in : stage) {
          assertThat(Instruction.parse(in.toString())).isEqualTo(in);
        }
      }
    }
  }

  @Test
  void multiChunkPlansCarryTheChunkOnEveryToken() {
    Plan plan = PlanText.parse("0: F0.0 F0.3 B0.3 W0.3 B0.0 W0.0\n1: F0.1 F0.2 B0.2 W0.2 B0.1 W0.1\n");

    assertThat(plan.placement()).isEqualTo(Placement.vShape(2));
    assertThat(PlanText.format(plan)).startsWith("0: F0.0 F0.3 B0.3");
  }

  @Test
  void readsTheScheduleNameAndSkipsCommentsAndBlankLines() {
    Plan plan = PlanText.parse("# schedule: zb-h1\n# a comment\n\n0: F0 B0 W0\n");

    assertThat(plan.schedule()).isEqualTo("zb-h1");
    assertThat(plan.microbatches()).isEqualTo(1);
    assertThat(PlanText.parse("0: F0 BW0\n").schedule()).isEqualTo("custom");
  }

  @ParameterizedTest
  @CsvSource(delimiterString = " => ", value = {
      "0: F0 BW0;1: X3 => line 2: bad token [X3]: expected F|B|W|BW<mb>[.<chunk>]",
      "0: F0 BW0;0: F1 BW1 => line 2: stage 0 listed twice",
      "0: F0.0 BW0.0;1: F0.0 => line 2: chunk 0 appears on stages 0 and 1",
      "0: F0 BW0;2: F0 BW0 => stages are not 0..1: [0, 2]",
      "F0 B0 => line 1: expected '<stage>: <tokens>', got [F0 B0]",
      "x: F0 => line 1: bad stage [x]",
      "# only a comment => plan has no stages",
      "0: => plan has no passes",
      "0: F0.1 BW0.1 => chunks are not 0..V-1: [1]"})
  void rejectsMalformedTextNamingTheLineAndToken(String text, String message) {
    assertThatThrownBy(() -> PlanText.parse(text.replace(';', '\n')))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }
}
