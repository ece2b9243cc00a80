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
    return Coordinator.create(ClusterStageProvisioner.create(ClusterCoordinator::up), provisionTimeout, faults);
  }

  /**
   * Whether the member at {@code node} is Up (or WeaklyUp) as {@code system} sees it: stages go on no worker that
   * is leaving, exiting or down (a pod being deleted still answers until it is gone).
   */
  static boolean up(org.apache.pekko.actor.typed.ActorSystem<?> system, String node) {
    for (org.apache.pekko.cluster.Member m : org.apache.pekko.cluster.typed.Cluster.get(system).state().getMembers()) {
      if (m.address().toString().equals(node)) {
        return m.status() == org.apache.pekko.cluster.MemberStatus.up()
            || m.status() == org.apache.pekko.cluster.MemberStatus.weaklyUp();
      }
    }
    return false;
  }
}
