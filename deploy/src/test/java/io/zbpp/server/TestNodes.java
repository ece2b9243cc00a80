package io.zbpp.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StopStage;
import io.zbpp.stage.StageHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** Cluster nodes on 127.0.0.1 with OS-assigned ports, for tests (several in one JVM). */
final class TestNodes {
  /** serialize-messages on, the JVM never exits, and leaving is quick. */
  static final Config TEST = ConfigFactory.parseString("""
      pekko.actor.serialize-messages = on
      pekko.coordinated-shutdown.exit-jvm = off
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      pekko.log-dead-letters-during-shutdown = off
      pekko.cluster.gossip-interval = 200ms
      pekko.cluster.leader-actions-interval = 200ms
      """);

  private TestNodes() {}

  static NodeSettings settings(List<String> seeds, Optional<Path> tls) {
    return new NodeSettings("127.0.0.1", 0, seeds, OptionalInt.empty(), tls.map(NodeSettings.TlsFiles::in),
        Duration.ofSeconds(5));
  }

  /** A coordinator-role node that forms a new cluster. */
  static ClusterNode coordinator(Optional<Path> tls) {
    ClusterNode n = ClusterNode.start(settings(List.of(), tls), Roles.COORDINATOR, ctx -> { }, TEST);
    n.awaitUp(Duration.ofSeconds(20));
    return n;
  }

  /** A worker that joins {@code seed} with a stage host of {@code devices} stand-in stages (not yet Up). */
  static ClusterNode worker(String seed, int devices, Optional<Path> tls) {
    return ClusterNode.start(settings(List.of(seed), tls), Roles.WORKER,
        Roles.worker(devices, "cpu", TestNodes::standIn), TEST);
  }

  /** A stage that stops on StopStage, as the real one does. */
  static Behavior<StageCommand> standIn(io.zbpp.protocol.msg.JobEpoch job, int stage, int device) {
    return Behaviors.receive(StageCommand.class).onMessage(StopStage.class, s -> Behaviors.stopped()).build();
  }

  static StageHost.StageFactory standIns() {
    return TestNodes::standIn;
  }
}
