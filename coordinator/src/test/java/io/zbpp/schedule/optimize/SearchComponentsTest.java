package io.zbpp.schedule.optimize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.Validator;
import io.zbpp.schedule.paper.PaperSetting;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SearchComponentsTest {
  @ParameterizedTest(name = "p={0} m={1} seed={2}")
  @CsvSource({"2,4,31", "3,6,32", "4,8,33", "4,5,34", "3,8,35", "1,4,36"})
  void constructivePlansAreValidUnderTheirMemoryLimit(int p, int m, long seed) {
    CostModel costs = SmallInstances.random(p, seed);

    Optional<Plan> plan = Optimizer.constructive(Shape.of(p, m), costs);

    assertThat(plan).isPresent();
    var validation = Validator.validate(plan.get(), costs);
    assertThat(validation.ok()).as(validation.report()).isTrue();
  }

  @ParameterizedTest(name = "p={0} m={1} seed={2}")
  @CsvSource({"4,8,41", "3,10,42"})
  void neighbourhoodSearchImprovesASequentialPlanAndKeepsItValid(int p, int m, long seed) {
    CostModel costs = SmallInstances.random(p, seed);
    Instance in = new Instance(costs, m, TimeScale.of(costs));
    Plan sequential = SmallInstances.sequential(p, m);
    Incumbent start = Incumbent.of(Orders.of(sequential, in), in);
    SolverOptions opts = SolverOptions.defaults().withTimeLimit(4);

    Outcome out = NeighbourhoodSearch.run(in, new Paths(in), start, 0, opts,
        new Deadline(System.nanoTime(), opts.timeLimitSeconds()));

    Plan plan = Orders.toPlan(out.best().order(), in, "lns");
    assertThat(Validator.validate(plan, costs).ok()).as(Validator.validate(plan, costs).report()).isTrue();
    assertThat(Simulator.simulate(plan, costs).cost()).isLessThan(Simulator.simulate(sequential, costs).cost());
    assertThat(in.scale.time(out.best().cost())).isCloseTo(Simulator.simulate(plan, costs).cost(), within(1e-9));
  }

  @ParameterizedTest(name = "{0} x{1}")
  @CsvSource({"0,1", "3,1", "6,1", "0,1.5"})
  void closedFormBoundNeverExceedsTheConstructivePlan(int setting, double factor) {
    PaperSetting ps = PaperSetting.all().get(setting);
    CostModel costs = ps.costModel().withMemLimit(factor * ps.stages() * ps.memF());
    Instance in = new Instance(costs, ps.microbatches(), TimeScale.of(costs));
    Paths paths = new Paths(in);
    double plan = Simulator.simulate(Optimizer.constructive(ps.shape(), costs).orElseThrow(), costs).cost();
    for (int s = 0; s < in.p; s++) {
      assertThat(in.scale.time(StageBound.closedForm(in, paths, s))).isLessThanOrEqualTo(plan + 1e-9);
    }
  }
}
