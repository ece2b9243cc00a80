package io.zbpp.schedule.algorithms;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.PlanText;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exact plans, token for token, checked by hand against each schedule's rules (equal unit costs; the
 * handcrafted orders do not depend on the costs).
 */
class GoldenPlanTest {
  static Stream<Arguments> goldens() {
    return Stream.of(
        // Warm-up p−s; a W before each F once p microbatches are in flight; one W per B in the drain.
        Arguments.of("zb-h1", new Shape(4, 8, 1), """
            0: F0 F1 F2 F3 B0 W0 F4 B1 W1 F5 B2 W2 F6 B3 W3 F7 B4 W4 B5 W5 B6 W6 B7 W7
            1: F0 F1 F2 B0 F3 B1 W0 F4 B2 W1 F5 B3 W2 F6 B4 W3 F7 B5 W4 B6 W5 B7 W6 W7
            2: F0 F1 B0 F2 B1 F3 B2 W0 F4 B3 W1 F5 B4 W2 F6 B5 W3 F7 B6 W4 B7 W5 W6 W7
            3: F0 B0 F1 B1 F2 B2 F3 B3 W0 F4 B4 W1 F5 B5 W2 F6 B6 W3 F7 B7 W4 W5 W6 W7
            """),
        // Warm-up 2(p−1−s)+1; W's start once 2p−1 microbatches are in flight.
        Arguments.of("zb-h2", new Shape(4, 8, 1), """
            0: F0 F1 F2 F3 F4 F5 F6 B0 W0 F7 B1 W1 B2 W2 B3 W3 B4 W4 B5 W5 B6 W6 B7 W7
            1: F0 F1 F2 F3 F4 B0 F5 B1 F6 B2 W0 F7 B3 W1 B4 W2 B5 W3 B6 W4 B7 W5 W6 W7
            2: F0 F1 F2 B0 F3 B1 F4 B2 F5 B3 F6 B4 W0 F7 B5 W1 B6 W2 B7 W3 W4 W5 W6 W7
            3: F0 B0 F1 B1 F2 B2 F3 B3 F4 B4 F5 B5 F6 B6 W0 F7 B7 W1 W2 W3 W4 W5 W6 W7
            """),
        // Worker 0 holds chunks 0 and 3, worker 1 chunks 1 and 2: warm-up, ramp, steady, cool-down.
        Arguments.of("zb-v", new Shape(2, 4, 2), """
            0: F0.0 F1.0 F2.0 F0.3 B0.3 W0.3 F1.3 B1.3 W1.3 F3.0 B0.0 W0.0 F2.3 B2.3 W2.3 B1.0 W1.0 F3.3 B3.3 \
            B2.0 W3.3 B3.0 W2.0 W3.0
            1: F0.1 F0.2 F1.1 F1.2 B0.2 W0.2 F2.1 B0.1 W0.1 F2.2 B1.2 W1.2 F3.1 B1.1 W1.1 F3.2 B2.2 B2.1 B3.2 \
            B3.1 W2.2 W2.1 W3.2 W3.1
            """),
        // Megatron's warm-up (v−1)p + 2(p−1−s) forwards plus one; backwards take the local chunks in reverse.
        Arguments.of("1f1b-i", new Shape(2, 4, 2), """
            0: F0.0 F1.0 F0.2 F1.2 F2.0 BW0.2 F3.0 BW1.2 F2.2 BW0.0 F3.2 BW1.0 BW2.2 BW3.2 BW2.0 BW3.0
            1: F0.1 F1.1 F0.3 BW0.3 F1.3 BW1.3 F2.1 BW0.1 F3.1 BW1.1 F2.3 BW2.3 F3.3 BW3.3 BW2.1 BW3.1
            """),
        // m = 2 < p = 3: the plan for m = 3 without microbatch 2.
        Arguments.of("1f1b-i", new Shape(3, 2, 2), """
            0: F0.0 F1.0 F0.3 F1.3 BW0.3 BW1.3 BW0.0 BW1.0
            1: F0.1 F1.1 F0.4 F1.4 BW0.4 BW1.4 BW0.1 BW1.1
            2: F0.2 F1.2 F0.5 BW0.5 F1.5 BW1.5 BW0.2 BW1.2
            """),
        Arguments.of("gpipe", new Shape(2, 3, 1), """
            0: F0 F1 F2 BW0 BW1 BW2
            1: F0 F1 F2 BW0 BW1 BW2
            """),
        // m = 2 < p = 3: warm-ups capped at m.
        Arguments.of("zb-h1", new Shape(3, 2, 1), """
            0: F0 F1 B0 W0 B1 W1
            1: F0 F1 B0 W0 B1 W1
            2: F0 B0 F1 B1 W0 W1
            """));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("goldens")
  void producesTheExpectedPlan(String name, Shape shape, String expected) {
    CostModel costs = CostModel.uniform(shape.stages(), 1, 1, 1, 0);

    assertThat(PlanText.format(Schedules.byName(name).plan(shape, costs))).isEqualTo(expected);
  }
}
