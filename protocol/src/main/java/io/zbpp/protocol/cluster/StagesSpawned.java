package io.zbpp.protocol.cluster;

import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.StageCommand;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/** The stage actors a host started for {@code job}, one per requested slot. */
public record StagesSpawned(JobEpoch job, String node, List<Spawned> stages)
    implements ProvisioningEvent, ClusterMessage {
  /** Stage {@code stage} runs on {@code device} as {@code ref}. */
  public record Spawned(int stage, int device, ActorRef<StageCommand> ref) {
    public Spawned {
      Objects.requireNonNull(ref, "ref");
    }
  }

  public StagesSpawned {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(node, "node");
    stages = List.copyOf(stages);
  }
}
