package io.zbpp.schedule.optimize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.Validator;
import io.zbpp.schedule.algorithms.OneFOneB;
import io.zbpp.schedule.paper.PaperSetting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptimizerTest {
  private static final SolverOptions FAST = SolverOptions.defaults().withTimeLimit(20).withWorkers(2);

  @ParameterizedTest(name = "p={0} m={1} seed={2}")
  @CsvSource({"2,2,1", "2,3,2", "3,2,3", "3,3,4", "3,3,5", "2,3,6", "3,3,7", "3,2,8", "1,3,9", "3,1,10"})
  void provesTheOptimumThatExhaustiveSearchFinds(int p, int m, long seed) {
    CostModel costs = SmallInstances.random(p, seed);
    ExhaustiveSearch.Best truth = ExhaustiveSearch.search(costs, m);

    OptimizationResult r = Optimizer.optimize(Shape.of(p, m), costs, SmallInstances.sequential(p, m), FAST);

    assertThat(Simulator.simulate(truth.plan(), costs).cost()).isCloseTo(truth.cost(), within(1e-9));
    assertThat(r.optimal()).as("claims optimal").isTrue();
    assertThat(r.cost()).isCloseTo(truth.cost(), within(1e-9));
    assertThat(r.lowerBound()).isCloseTo(truth.cost(), within(1e-9));
    assertThat(Validator.validate(r.plan(), costs).orThrow().cost()).isCloseTo(r.cost(), within(1e-9));
  }

  @ParameterizedTest(name = "p={0} m={1} seed={2}")
  @CsvSource({"2,3,11", "3,3,12", "3,2,13", "2,2,14", "3,3,15", "2,3,16"})
  void closedFormAndRelaxedBoundsNeverExceedTheExhaustiveOptimum(int p, int m, long seed) {
    CostModel costs = SmallInstances.random(p, seed);
    double truth = ExhaustiveSearch.search(costs, m).cost();
    Instance in = new Instance(costs, m, TimeScale.of(costs));
    Paths paths = new Paths(in);
    Incumbent warm = Incumbent.of(Orders.of(SmallInstances.sequential(p, m), in), in);
    for (int s = 0; s < p; s++) {
      long closed = StageBound.closedForm(in, paths, s);
      long relaxed = StageBound.relaxed(in, paths, s, warm.start(), warm.cost(), Sat.solver(FAST, 5, 0));
      assertThat(in.scale.time(closed)).as("closed-form bound of stage %d", s).isLessThanOrEqualTo(truth + 1e-9);
      assertThat(in.scale.time(relaxed)).as("relaxed bound of stage %d", s).isLessThanOrEqualTo(truth + 1e-9);
    }
  }

  @ParameterizedTest(name = "p={0} m={1} seed={2}")
  @CsvSource({"4,4,21", "4,6,22", "3,6,23", "4,5,24"})
  void provesOptimalityOnSmallHeterogeneousInstances(int p, int m, long seed) {
    CostModel costs = SmallInstances.random(p, seed);
    Plan warm = SmallInstances.sequential(p, m);

    OptimizationResult r = Optimizer.optimize(Shape.of(p, m), costs, warm, FAST.withTimeLimit(30));

    assertThat(r.optimal()).as("claims optimal: %s", r).isTrue();
    assertThat(r.gap()).isZero();
    assertThat(r.cost()).isLessThanOrEqualTo(Simulator.simulate(warm, costs).cost());
    assertThat(Validator.validate(r.plan(), costs).ok()).isTrue();
  }

  @Test
  void provesZbH1OptimalUnderOnePipelineOfActivations() {
    PaperSetting ps = PaperSetting.all().get(0);
    CostModel costs = ps.costModel().withMemLimit(ps.stages() * ps.memF());
    Plan warm = new OneFOneB().plan(ps.shape(), costs);

    OptimizationResult r = Optimizer.optimize(ps.shape(), costs, warm, FAST.withTimeLimit(10));

    assertThat(r.optimal()).isTrue();
    assertThat(Validator.validate(r.plan(), costs).orThrow().bubbleRate()).isCloseTo(0.1585, within(5e-5));
  }

  @Test
  void neverReturnsAPlanWorseThanTheWarmStart() {
    PaperSetting ps = PaperSetting.all().get(6);
    CostModel costs = ps.costModel().withMemLimit(1.5 * ps.stages() * ps.memF());
    Plan warm = new OneFOneB().plan(ps.shape(), costs);

    OptimizationResult r = Optimizer.optimize(ps.shape(), costs, warm, FAST.withTimeLimit(3));

    assertThat(r.cost()).isLessThanOrEqualTo(r.warmStartCost());
    assertThat(r.lowerBound()).isLessThanOrEqualTo(r.cost());
    assertThat(Validator.validate(r.plan(), costs).orThrow().cost()).isEqualTo(r.cost());
  }

  @Test
  void statesARoundingErrorWhenTimesAreNotDecimal() {
    CostModel costs = CostModel.builder(2).times(1.0 / 3, 2.0 / 3, 1.0 / 7).comm(0.1).build();

    OptimizationResult r = Optimizer.optimize(Shape.of(2, 3), costs, SmallInstances.sequential(2, 3), FAST);

    assertThat(r.roundingError()).isPositive().isLessThan(1e-4);
    assertThat(r.lowerBound()).isLessThanOrEqualTo(ExhaustiveSearch.search(costs, 3).cost() + 1e-12);
    assertThat(r.optimal()).isFalse();
  }

  @Test
  void deterministicOptionsGiveTheSamePlanTwice() {
    CostModel costs = SmallInstances.random(4, 51);
    SolverOptions opts = FAST.withDeterministic(true).withTimeLimit(5);

    OptimizationResult a = Optimizer.optimize(Shape.of(4, 6), costs, SmallInstances.sequential(4, 6), opts);
    OptimizationResult b = Optimizer.optimize(Shape.of(4, 6), costs, SmallInstances.sequential(4, 6), opts);

    assertThat(a.plan()).isEqualTo(b.plan());
    assertThat(a.lowerBound()).isEqualTo(b.lowerBound());
  }

  @Test
  void rejectsAWarmStartOverTheMemoryLimit() {
    CostModel costs = CostModel.uniform(3, 1, 1, 1, 0).withMemLimit(1);
    Plan warm = new OneFOneB().plan(Shape.of(3, 4), costs);
    assertThatThrownBy(() -> Optimizer.optimize(Shape.of(3, 4), costs, warm, FAST))
        .hasMessageContaining("exceeds the limit");
  }
}
