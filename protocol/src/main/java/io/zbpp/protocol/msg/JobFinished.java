package io.zbpp.protocol.msg;

import java.util.List;

/**
 * The job ran all its iterations.
 *
 * @param predictedBubbleRate the simulator's bubble rate of the plan under the job's cost model
 * @param paramsSha256 hex SHA-256 over all parameters in model order (float32 little-endian, chunk by chunk)
 * @param planText the plan that ran (plan-file format)
 * @param optimizer the optimizer check summed over stages
 */
public record JobFinished(JobEpoch job, double predictedBubbleRate, List<IterationResult> iterations,
    String paramsSha256, String planText, OptimizerStats optimizer) implements JobOutcome {
  public JobFinished {
    iterations = List.copyOf(iterations);
  }
}
