package io.zbpp.protocol.msg;

import java.util.List;
import java.util.Objects;

/**
 * Coordinator → progress listener, once per job, after it planned the job and the stages arrived: what it
 * chose, so that a client shows the plan without planning again.
 *
 * @param schedule the plan's name (the schedule, or the name a plan file gives itself)
 * @param planText the plan that runs (plan-file format)
 * @param predictedBubbleRate the simulator's bubble rate of the plan under the job's cost model
 * @param placement where each stage runs, by stage index (e.g. {@code local/stage-2},
 *     {@code worker@host:2552/device-0}); free text for people, not parsed
 */
public record JobStarted(JobEpoch job, String schedule, String planText, double predictedBubbleRate,
    List<String> placement) implements JobEvent {
  public JobStarted {
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(planText, "planText");
    placement = List.copyOf(placement);
  }
}
