package io.zbpp.protocol.msg;

import java.util.List;
import java.util.Objects;

/**
 * A training job as the coordinator receives it.
 *
 * @param schedule a registered schedule name; ignored when {@code planText} is not empty
 * @param planText a plan file (docs/design.md format) to run as given, or empty
 * @param costF profiled T_F, one value or one per stage (ms or any unit); empty: estimate from {@code model}
 * @param memLimit per-stage memory limit in the cost model's unit (bytes); 0 for none
 * @param memLimitFactor memory limit as a multiple of p·M_B (ZB-1p is 1, ZB-2p is 2); 0 for none
 * @param frameBytes the largest tensor payload of one message; bigger tensors are split into frames
 * @param optimizer the optimizer check (clipping, inf/NaN skip, post-validation)
 * @param memF memory delta ΔM(F), one value or one per stage (the cost model's unit, bytes); empty: from
 *     {@code model} (docs/design.md §2), as before these fields existed
 * @param memB ΔM(B), as {@code memF}; each list replaces only its own pass's delta
 * @param memW ΔM(W), as {@code memF}
 * @param modelSpec the model the stages build and train ({@link ModelSpec#none()} when the stage host supplies
 *     its own chunks); {@code model} stays the shape the cost model is estimated from
 */
public record JobSpec(String jobId, String schedule, String planText, int stages, int microbatches,
    int chunksPerStage, int iterations, List<Double> costF, List<Double> costB, List<Double> costW,
    double costComm, ModelShape model, double memLimit, double memLimitFactor, int frameBytes,
    OptimizerOptions optimizer, List<Double> memF, List<Double> memB, List<Double> memW, ModelSpec modelSpec) {
  public JobSpec {
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(planText, "planText");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(modelSpec, "modelSpec");
    costF = List.copyOf(costF);
    costB = List.copyOf(costB);
    costW = List.copyOf(costW);
    memF = List.copyOf(memF);
    memB = List.copyOf(memB);
    memW = List.copyOf(memW);
  }

  /** Whether profiled pass times were given. */
  public boolean hasProfiledTimes() {
    return !costF.isEmpty();
  }
}
