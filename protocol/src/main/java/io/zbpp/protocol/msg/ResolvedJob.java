package io.zbpp.protocol.msg;

import io.zbpp.protocol.jobs.JobSpec;
import java.util.List;
import java.util.Objects;

/**
 * A training job as the coordinator receives it and sends it to the stages: the user's job spec
 * ({@link io.zbpp.protocol.jobs.JobSpec}, the one definition of a job that {@code zbpp train} and the job API
 * share) as written, next to everything resolved from it. Only the resolved values are read at run time; the
 * spec says where they came from.
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
 * @param spec the job spec these values were resolved from, verbatim; the default instance for jobs built
 *     directly (tests, benchmarks)
 */
public record ResolvedJob(String jobId, String schedule, String planText, int stages, int microbatches,
    int chunksPerStage, int iterations, List<Double> costF, List<Double> costB, List<Double> costW,
    double costComm, ModelShape model, double memLimit, double memLimitFactor, int frameBytes,
    OptimizerOptions optimizer, List<Double> memF, List<Double> memB, List<Double> memW, ModelSpec modelSpec,
    JobSpec spec) {
  public ResolvedJob {
    Objects.requireNonNull(spec, "spec");
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

  /** A job built directly, from no job spec. */
  public ResolvedJob(String jobId, String schedule, String planText, int stages, int microbatches,
      int chunksPerStage, int iterations, List<Double> costF, List<Double> costB, List<Double> costW,
      double costComm, ModelShape model, double memLimit, double memLimitFactor, int frameBytes,
      OptimizerOptions optimizer, List<Double> memF, List<Double> memB, List<Double> memW, ModelSpec modelSpec) {
    this(jobId, schedule, planText, stages, microbatches, chunksPerStage, iterations, costF, costB, costW, costComm,
        model, memLimit, memLimitFactor, frameBytes, optimizer, memF, memB, memW, modelSpec,
        JobSpec.getDefaultInstance());
  }

  /** Whether profiled pass times were given. */
  public boolean hasProfiledTimes() {
    return !costF.isEmpty();
  }
}
