package io.zbpp.protocol.cluster;

import io.zbpp.protocol.msg.JobEpoch;
import java.util.Objects;

/** A stage host could not start the requested stages; {@code message} says why. */
public record SpawnFailed(JobEpoch job, String node, String message) implements ProvisioningEvent, ClusterMessage {
  public SpawnFailed {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(message, "message");
  }
}
