package io.zbpp.protocol.msg;

import java.util.List;

/**
 * The job ran all its iterations.
 *
 * @param predictedBubbleRate the simulator's bubble rate of the plan under the job's cost model
 * @param paramsSha256 hex SHA-256 over all parameters in model order (float32 little-endian, chunk by chunk)
 * @param planText the plan that ran (plan-file format)
 * @param optimizer the optimizer check summed over stages
 * @param replans every swap of the stage programs by re-planning, in order (docs/replan.md)
 * @param recovery what fault recovery did (docs/faults.md)
 * @param checkpoints the checkpoints written (and the one resumed from)
 */
public record JobFinished(JobEpoch job, double predictedBubbleRate, List<IterationResult> iterations,
    String paramsSha256, String planText, OptimizerStats optimizer, List<Replan> replans, RecoveryStats recovery,
    CheckpointStats checkpoints) implements JobOutcome {
  public JobFinished {
    iterations = List.copyOf(iterations);
    replans = List.copyOf(replans);
    java.util.Objects.requireNonNull(recovery, "recovery");
    java.util.Objects.requireNonNull(checkpoints, "checkpoints");
  }

  /** A job that met no fault, without checkpoints. */
  public JobFinished(JobEpoch job, double predictedBubbleRate, List<IterationResult> iterations,
      String paramsSha256, String planText, OptimizerStats optimizer, List<Replan> replans) {
    this(job, predictedBubbleRate, iterations, paramsSha256, planText, optimizer, replans, RecoveryStats.none(),
        CheckpointStats.none());
  }

  /** A job without checkpoints. */
  public JobFinished(JobEpoch job, double predictedBubbleRate, List<IterationResult> iterations,
      String paramsSha256, String planText, OptimizerStats optimizer, List<Replan> replans, RecoveryStats recovery) {
    this(job, predictedBubbleRate, iterations, paramsSha256, planText, optimizer, replans, recovery,
        CheckpointStats.none());
  }

  /** A job that met no fault. */
  public JobFinished(JobEpoch job, double predictedBubbleRate, List<IterationResult> iterations,
      String paramsSha256, String planText, OptimizerStats optimizer, List<Replan> replans,
      CheckpointStats checkpoints) {
    this(job, predictedBubbleRate, iterations, paramsSha256, planText, optimizer, replans, RecoveryStats.none(),
        checkpoints);
  }

  /** A job that was not re-planned, met no fault and wrote no checkpoints. */
  public JobFinished(JobEpoch job, double predictedBubbleRate, List<IterationResult> iterations,
      String paramsSha256, String planText, OptimizerStats optimizer) {
    this(job, predictedBubbleRate, iterations, paramsSha256, planText, optimizer, List.of());
  }
}
