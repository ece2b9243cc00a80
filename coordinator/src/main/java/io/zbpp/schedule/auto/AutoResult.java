package io.zbpp.schedule.auto;

import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Timeline;
import java.util.Objects;

/**
 * The outcome of the automatic zero-bubble search: the chosen plan, the combination of {@link Choices} that
 * produced it, and its {@link io.zbpp.schedule.Simulator} timeline under the cost model (with the memory
 * limit) it was planned for.
 */
public record AutoResult(Plan plan, Choices choices, Timeline timeline) {
  public AutoResult {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(choices, "choices");
    Objects.requireNonNull(timeline, "timeline");
  }

  /** The simulated cost (largest stage span) of {@link #plan()}. */
  public double cost() {
    return timeline.cost();
  }

  public double bubbleRate() {
    return timeline.bubbleRate();
  }
}
