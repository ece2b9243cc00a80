package io.zbpp.protocol.msg;

import java.util.Objects;

/**
 * A job incarnation: the fencing token every coordinator→stage command carries (docs/design.md "Contracts").
 * A stage that has loaded epoch e rejects commands of any other job or of an epoch below e.
 */
public record JobEpoch(String jobId, long epoch) {
  public JobEpoch {
    Objects.requireNonNull(jobId, "jobId");
  }

  /** Whether a command fenced with {@code other} is older than this incarnation (or of another job). */
  public boolean isStale(JobEpoch other) {
    return !jobId.equals(other.jobId) || other.epoch < epoch;
  }

  @Override
  public String toString() {
    return jobId + "@" + epoch;
  }
}
