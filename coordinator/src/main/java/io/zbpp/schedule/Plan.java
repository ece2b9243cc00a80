package io.zbpp.schedule;

import java.util.ArrayList;
import java.util.List;

/**
 * A compute plan: for every stage, its passes in execution order. Idle time is never stored; the
 * {@link Simulator} derives it. A plan may be invalid (the {@link Validator} says why); the constructor only
 * checks that each instruction sits in the list of its own stage.
 *
 * @param schedule the algorithm that produced it (e.g. {@code zb-h1}), or {@code custom}
 * @param microbatches m
 * @param placement which stage holds which model chunk
 * @param stages the passes of each stage, indexed by stage, in execution order
 */
public record Plan(String schedule, int microbatches, Placement placement, List<List<Instruction>> stages) {
  public Plan {
    if (microbatches < 1) {
      throw new IllegalArgumentException("microbatches [" + microbatches + "]: must be at least 1");
    }
    if (stages.size() != placement.stages()) {
      throw new IllegalArgumentException(
          "plan has " + stages.size() + " stage lists for " + placement.stages() + " stages");
    }
    List<List<Instruction>> copy = new ArrayList<>(stages.size());
    for (int s = 0; s < stages.size(); s++) {
      for (Instruction in : stages.get(s)) {
        if (in.stage() != s) {
          throw new IllegalArgumentException("instruction " + in + " listed under stage " + s);
        }
      }
      copy.add(List.copyOf(stages.get(s)));
    }
    stages = List.copyOf(copy);
  }

  /** The number of stages p. */
  public int stageCount() {
    return placement.stages();
  }

  public List<Instruction> stage(int s) {
    return stages.get(s);
  }

  /** All instructions, stage by stage. */
  public int size() {
    int n = 0;
    for (List<Instruction> l : stages) {
      n += l.size();
    }
    return n;
  }

  /** The plan-file text; see {@link PlanText}. */
  @Override
  public String toString() {
    return PlanText.format(this);
  }
}
