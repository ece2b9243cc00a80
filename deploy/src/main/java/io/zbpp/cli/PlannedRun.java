package io.zbpp.cli;

import io.zbpp.runtime.CostModels;
import io.zbpp.runtime.TrainReport;
import io.zbpp.runtime.TrainSpec;
import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.PlanText;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.Timeline;
import java.util.Optional;

/**
 * What the planner expected of a training run: the cost model it planned with (the spec's profiled times, or
 * the estimate from the model shape; memory deltas from the shape or {@code --mem-*}) and the plan that ran,
 * simulated under it. The simulation is the planned row of the timeline page and the planned peak memory of
 * {@code train --json}.
 */
record PlannedRun(CostModel costs, Timeline timeline) {
  /** The planned run of a pipeline job; empty for the reference trainer, which runs no plan. */
  static Optional<PlannedRun> of(TrainSpec spec, TrainReport report) {
    if (report.planText().isBlank()) {
      return Optional.empty();
    }
    CostModel costs = CostModels.of(spec.toResolvedJob("report"));
    return Optional.of(new PlannedRun(costs, Simulator.simulate(PlanText.parse(report.planText()), costs)));
  }
}
