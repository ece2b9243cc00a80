package io.zbpp.server;

import io.zbpp.cluster.ClusterStageProvisioner;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.runtime.Coordinator;
import io.zbpp.runtime.FaultPolicy;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;

/** The coordinator of a cluster: the runtime's coordinator with stages placed on the workers. */
public final class ClusterCoordinator {
  private ClusterCoordinator() {}

  /** A coordinator whose jobs wait up to {@code provisionTimeout} for enough free worker devices. */
  public static Behavior<CoordinatorCommand> behavior(Duration provisionTimeout) {
    return behavior(provisionTimeout, FaultPolicy.defaults());
  }

  /** As {@link #behavior(Duration)}, meeting faults as {@code faults} says (docs/faults.md). */
  public static Behavior<CoordinatorCommand> behavior(Duration provisionTimeout, FaultPolicy faults) {
    return Coordinator.create(ClusterStageProvisioner.create(Members::up), provisionTimeout, faults);
  }
}
