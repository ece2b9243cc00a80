package io.zbpp.server;

import java.util.Optional;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/** The cluster's members as a node sees them now: which serve, and where the coordinator singletons live. */
public final class Members {
  private Members() {}

  /**
   * Whether the member at {@code node} is Up (or WeaklyUp) as {@code system} sees it: stages go on no worker that
   * is leaving, exiting or down (a pod being deleted still answers until it is gone).
   */
  public static boolean up(ActorSystem<?> system, String node) {
    for (Member m : Cluster.get(system).state().getMembers()) {
      if (m.address().toString().equals(node)) {
        return m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp();
      }
    }
    return false;
  }

  /** The oldest Up coordinator, which hosts the coordinator and job-api singletons (docs/faults.md). */
  public static String activeCoordinator(ActorSystem<?> system) {
    Optional<Member> oldest = StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.hasRole(Roles.COORDINATOR) && m.status() == MemberStatus.up())
        .reduce((a, b) -> a.isOlderThan(b) ? a : b);
    return oldest.map(m -> m.address().toString()).orElse("none is up yet");
  }
}
