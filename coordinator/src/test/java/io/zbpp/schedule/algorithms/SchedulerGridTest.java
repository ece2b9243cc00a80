package io.zbpp.schedule.algorithms;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Validator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every handcrafted schedule yields a valid plan for every shape of the grid p ∈ {1,2,3,4,8,16,32} ×
 * m ∈ {1, p−1, p, p+1, 2p, 3p, 8p}, under random heterogeneous per-stage costs and communication (seeded per
 * shape). 1F1B-I also runs with v ∈ {2, 3}.
 */
class SchedulerGridTest {
  private static final List<String> SINGLE_CHUNK = List.of("gpipe", "1f1b", "zb-h1", "zb-h2", "zb-v");
  private static final int[] STAGES = {1, 2, 3, 4, 8, 16, 32};

  static Stream<Arguments> grid() {
    List<Arguments> cases = new ArrayList<>();
    for (int p : STAGES) {
      for (int m : new TreeSet<>(List.of(1, p - 1, p, p + 1, 2 * p, 3 * p, 8 * p))) {
        if (m < 1) {
          continue;
        }
        for (String name : SINGLE_CHUNK) {
          cases.add(Arguments.of(name, new Shape(p, m, 1)));
        }
        for (int v = 1; v <= 3; v++) {
          cases.add(Arguments.of("1f1b-i", new Shape(p, m, v)));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("grid")
  void yieldsAValidPlanUnderHeterogeneousCosts(String name, Shape shape) {
    CostModel costs = randomCosts(shape.stages(), new Random(31L * shape.stages() + shape.microbatches()));
    Plan plan = Schedules.byName(name).plan(shape, costs);

    var validation = Validator.validate(plan, costs);

    assertThat(validation.ok()).as(validation::report).isTrue();
    assertThat(plan.schedule()).isEqualTo(name);
    assertThat(plan.microbatches()).isEqualTo(shape.microbatches());
    assertThat(validation.timeline().cost()).isPositive();
  }

  /** Per-stage times in [0.2, 3), W possibly zero, comm in [0, 1), the paper's split of memory deltas. */
  static CostModel randomCosts(int p, Random rnd) {
    double[] tf = new double[p];
    double[] tb = new double[p];
    double[] tw = new double[p];
    for (int s = 0; s < p; s++) {
      tf[s] = 0.2 + 2.8 * rnd.nextDouble();
      tb[s] = 0.2 + 2.8 * rnd.nextDouble();
      tw[s] = rnd.nextInt(8) == 0 ? 0 : 2.8 * rnd.nextDouble();
    }
    return CostModel.builder(p).tf(tf).tb(tb).tw(tw).comm(rnd.nextDouble()).mem(1, -0.4, -0.6).build();
  }
}
