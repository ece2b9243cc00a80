package io.zbpp.schedule.optimize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Placement;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.Validator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The optimizer on v = 2 chunks per stage (V and interleaved placements) against an exhaustive oracle. */
class MultiChunkOptimizerTest {
  private static final OptimizerOptions FAST = OptimizerOptions.defaults().withTimeLimit(20).withWorkers(2);

  static Placement placement(String kind, int p) {
    return kind.equals("v") ? Placement.vShape(p) : Placement.interleaved(p, 2);
  }

  /**
   * Microbatch by microbatch: each stage runs F of its chunks in model order, then B and W of each chunk from
   * the highest down. Holds at most one microbatch's activations per stage, so it is valid under any limit of
   * at least the stage's ΔM(F).
   */
  static Plan sequential(Placement pl, int m) {
    List<List<Instruction>> stages = new ArrayList<>();
    for (int s = 0; s < pl.stages(); s++) {
      List<Integer> mine = new ArrayList<>();
      for (int c = 0; c < pl.chunks(); c++) {
        if (pl.stageOf(c) == s) {
          mine.add(c);
        }
      }
      List<Instruction> l = new ArrayList<>();
      for (int j = 0; j < m; j++) {
        for (int c : mine) {
          l.add(new Instruction(s, Op.F, j, c));
        }
        for (int k = mine.size() - 1; k >= 0; k--) {
          l.add(new Instruction(s, Op.B, j, mine.get(k)));
          l.add(new Instruction(s, Op.W, j, mine.get(k)));
        }
      }
      stages.add(l);
    }
    return new Plan("sequential", m, pl, stages);
  }

  @ParameterizedTest(name = "{0} p={1} m={2} seed={3}")
  @CsvSource({"v,2,2,1", "v,2,3,2", "v,3,2,3", "v,3,3,4", "v,1,3,5", "i,2,2,6", "i,2,3,7", "i,3,2,8",
      "i,3,3,9", "v,2,3,10", "i,3,1,11"})
  void provesTheOptimumThatExhaustiveSearchFinds(String kind, int p, int m, long seed) {
    CostModel costs = SmallInstances.random(p, seed);
    Placement pl = placement(kind, p);
    ChunkExhaustiveSearch.Best truth = ChunkExhaustiveSearch.search(costs, pl, m);

    OptimizationResult r = Optimizer.optimize(new Shape(p, m, 2), costs, sequential(pl, m), FAST);

    assertThat(Validator.validate(truth.plan(), costs).orThrow().cost()).isCloseTo(truth.cost(), within(1e-9));
    assertThat(r.optimal()).as("claims optimal: %s", r).isTrue();
    assertThat(r.cost()).isCloseTo(truth.cost(), within(1e-9));
    assertThat(r.lowerBound()).isCloseTo(truth.cost(), within(1e-9));
    assertThat(r.plan().placement()).isEqualTo(pl);
    assertThat(Validator.validate(r.plan(), costs).orThrow().cost()).isCloseTo(r.cost(), within(1e-9));
  }

  @ParameterizedTest(name = "{0} p={1} m={2} seed={3}")
  @CsvSource({"v,2,3,21", "v,3,3,22", "i,3,2,23", "i,2,3,24", "v,3,2,25", "i,3,3,26"})
  void closedFormAndRelaxedBoundsNeverExceedTheExhaustiveOptimum(String kind, int p, int m, long seed) {
    CostModel costs = SmallInstances.random(p, seed);
    Placement pl = placement(kind, p);
    double truth = ChunkExhaustiveSearch.search(costs, pl, m).cost();
    Instance in = new Instance(costs, pl, m, TimeScale.of(costs, 2));
    Paths paths = new Paths(in);
    Incumbent warm = Incumbent.of(Orders.of(sequential(pl, m), in), in);
    for (int s = 0; s < p; s++) {
      long closed = StageBound.closedForm(in, paths, s);
      long relaxed = StageBound.relaxed(in, paths, s, warm.start(), warm.cost(), Sat.solver(FAST, 5, 0));
      assertThat(in.scale.time(closed)).as("closed-form bound of stage %d", s).isLessThanOrEqualTo(truth + 1e-9);
      assertThat(in.scale.time(relaxed)).as("relaxed bound of stage %d", s).isLessThanOrEqualTo(truth + 1e-9);
    }
  }

  @Test
  void theModelsCostOfAPlanIsTheSimulatorsCost() {
    // 1F1B-I fuses B and W (BW); the optimizer splits them, so its orders are compared as split.
    CostModel costs = SmallInstances.random(3, 31).toBuilder().memLimit(Double.POSITIVE_INFINITY).build();
    for (String name : List.of("zb-v", "1f1b-i")) {
      Plan plan = Schedules.byName(name).plan(new Shape(3, 5, 2), costs);
      Instance in = new Instance(costs, plan.placement(), 5, TimeScale.of(costs, 2));
      Incumbent inc = Incumbent.of(Orders.of(plan, in), in);
      Plan back = Orders.toPlan(inc.order(), in, name);
      assertThat(in.scale.time(inc.cost())).as(name).isCloseTo(Simulator.simulate(back, costs).cost(), within(1e-9));
      if (!plan.hasFusedBackward()) {
        assertThat(back.stages()).isEqualTo(plan.stages());
        assertThat(in.scale.time(inc.cost())).isCloseTo(Simulator.simulate(plan, costs).cost(), within(1e-9));
      }
    }
  }

  @Test
  void rejectsAWarmStartWithOtherChunksThanTheShape() {
    CostModel costs = CostModel.uniform(2, 1, 1, 1, 0);
    assertThatThrownBy(() -> Optimizer.optimize(new Shape(2, 2, 2), costs, SmallInstances.sequential(2, 2), FAST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("chunks [1]: the warm start must have the shape's 2 chunks per stage");
  }
}
