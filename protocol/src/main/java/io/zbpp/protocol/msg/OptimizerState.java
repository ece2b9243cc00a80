package io.zbpp.protocol.msg;

import java.util.Map;
import java.util.TreeMap;

/**
 * Stage → stage: the reduced optimizer state of iteration {@code iteration} (docs/design.md §6). A partial state
 * travels from stage s to s+1 with every chunk's grad-norm² that stages 0…s hold; the full state (all V chunks)
 * goes from the last stage to every other stage. Per-chunk values rather than a running sum, so that the
 * receiver sums in model order ({@code GradientClipping}) and every stage and the reference agree bit for bit,
 * whatever the placement (ZB-V stages hold chunks s and 2p−1−s).
 *
 * @param normSquared chunk → Σ g² of that chunk's accumulated gradients (NaN or ∞ when not finite)
 */
public record OptimizerState(JobEpoch job, int iteration, int fromStage, boolean full,
    Map<Integer, Double> normSquared) implements StageCommand, WireMessage {
  public OptimizerState {
    normSquared = java.util.Collections.unmodifiableMap(new TreeMap<>(normSquared));
  }
}
