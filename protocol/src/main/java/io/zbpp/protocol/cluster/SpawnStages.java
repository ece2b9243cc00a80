package io.zbpp.protocol.cluster;

import io.zbpp.protocol.msg.JobEpoch;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Asks a stage host to start one stage actor per slot, each on its device; it answers {@link StagesSpawned}
 * with every slot or {@link SpawnFailed} with none (a busy or unknown device fails the whole request).
 */
public record SpawnStages(JobEpoch job, List<StageSlot> slots, ActorRef<ProvisioningEvent> replyTo)
    implements StageHostCommand {
  public SpawnStages {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(replyTo, "replyTo");
    slots = List.copyOf(slots);
  }
}
