package io.zbpp.protocol.cluster;

import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A stage host's devices.
 *
 * @param host the host itself, to send {@link SpawnStages} to
 * @param node its cluster address ({@code pekko://zbpp@10.0.0.5:25520}), for placement reports and ordering
 * @param devices how many devices it has (≥ 1)
 * @param freeDevices the devices that run no stage now, ascending
 * @param backend cpu, cuda or emulated
 */
public record HostDescribed(ActorRef<StageHostCommand> host, String node, int devices, List<Integer> freeDevices,
    String backend) implements ProvisioningEvent, ClusterMessage {
  public HostDescribed {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(backend, "backend");
    freeDevices = List.copyOf(freeDevices);
  }
}
