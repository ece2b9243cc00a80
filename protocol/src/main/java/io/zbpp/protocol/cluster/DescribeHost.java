package io.zbpp.protocol.cluster;

import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/** Asks a stage host for its devices; it answers {@link HostDescribed}. */
public record DescribeHost(ActorRef<ProvisioningEvent> replyTo) implements StageHostCommand {
  public DescribeHost {
    Objects.requireNonNull(replyTo, "replyTo");
  }
}
