package io.zbpp.server;

import io.zbpp.cluster.ClusterStageProvisioner;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.runtime.Coordinator;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;

/** The coordinator of a cluster: the runtime's coordinator with stages placed on the workers. */
public final class ClusterCoordinator {
  private ClusterCoordinator() {}

  /** A coordinator whose jobs wait up to {@code provisionTimeout} for enough free worker devices. */
  public static Behavior<CoordinatorCommand> behavior(Duration provisionTimeout) {
    return Coordinator.create(ClusterStageProvisioner.create(), provisionTimeout);
  }
}
