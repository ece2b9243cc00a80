package io.zbpp.server;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs at INFO every node that joins, leaves, becomes unreachable or comes back, with its roles
 * ({@code member up: pekko://zbpp@10.0.0.6:25520 [worker]}).
 */
final class MembershipLog {
  private static final Logger LOG = LoggerFactory.getLogger(MembershipLog.class);

  private MembershipLog() {}

  static Behavior<ClusterEvent.ClusterDomainEvent> create() {
    return Behaviors.setup(ctx -> {
      ActorRef<ClusterEvent.ClusterDomainEvent> self = ctx.getSelf();
      Cluster cluster = Cluster.get(ctx.getSystem());
      cluster.subscriptions().tell(Subscribe.create(self.narrow(), ClusterEvent.MemberEvent.class));
      cluster.subscriptions().tell(Subscribe.create(self.narrow(), ClusterEvent.ReachabilityEvent.class));
      return Behaviors.receive(ClusterEvent.ClusterDomainEvent.class)
          .onMessage(ClusterEvent.MemberUp.class, e -> log("member up", e.member()))
          .onMessage(ClusterEvent.MemberLeft.class, e -> log("member leaving", e.member()))
          .onMessage(ClusterEvent.MemberExited.class, e -> log("member exited", e.member()))
          .onMessage(ClusterEvent.MemberRemoved.class, e -> log("member removed", e.member()))
          .onMessage(ClusterEvent.MemberDowned.class, e -> log("member downed", e.member()))
          .onMessage(ClusterEvent.UnreachableMember.class, e -> log("member unreachable", e.member()))
          .onMessage(ClusterEvent.ReachableMember.class, e -> log("member reachable again", e.member()))
          .onAnyMessage(e -> Behaviors.same())
          .build();
    });
  }

  private static Behavior<ClusterEvent.ClusterDomainEvent> log(String what, Member m) {
    LOG.info("{}: {} {}", what, m.address(), m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted()
        .toList());
    return Behaviors.same();
  }
}
