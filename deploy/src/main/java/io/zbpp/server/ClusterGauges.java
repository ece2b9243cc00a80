package io.zbpp.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.zbpp.metrics.NodeMetrics;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Cluster membership as this node sees it, read at each scrape: {@code zbpp_cluster_members{role}} counts the
 * Up members of each role, {@code zbpp_cluster_unreachable_members} the members this node's failure detector
 * marks unreachable.
 */
final class ClusterGauges {
  private ClusterGauges() {}

  static void register(ActorSystem<?> system) {
    MeterRegistry registry = NodeMetrics.get(system).registry();
    Cluster cluster = Cluster.get(system);
    for (String role : List.of(Roles.COORDINATOR, Roles.WORKER, Roles.CLIENT)) {
      Gauge.builder("zbpp.cluster.members", cluster, c -> upMembers(c, role))
          .description("Up members of the cluster, by role").tag("role", role).register(registry);
    }
    Gauge.builder("zbpp.cluster.unreachable.members", cluster, c -> c.state().getUnreachable().size())
        .description("Members this node's failure detector marks unreachable").register(registry);
  }

  private static double upMembers(Cluster cluster, String role) {
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up() && m.hasRole(role)).count();
  }
}
