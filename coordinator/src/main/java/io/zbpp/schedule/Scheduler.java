package io.zbpp.schedule;

/**
 * A scheduling algorithm: a pure function from a job shape and a cost model to a compute plan. The plan must
 * pass the {@link Validator} against the same cost model (including its memory limit, where the algorithm
 * honours one) for every p ≥ 1 and m ≥ 1.
 */
public interface Scheduler {
  /** The CLI name, e.g. {@code zb-h1}. */
  String name();

  Plan plan(Shape shape, CostModel costs);
}
