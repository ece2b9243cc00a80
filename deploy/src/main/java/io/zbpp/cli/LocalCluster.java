package io.zbpp.cli;

import com.typesafe.config.ConfigFactory;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.runtime.ClusterTraining;
import io.zbpp.runtime.LocalTraining;
import io.zbpp.runtime.TrainReport;
import io.zbpp.runtime.TrainSpec;
import io.zbpp.server.ClusterCoordinator;
import io.zbpp.server.ClusterNode;
import io.zbpp.server.KubernetesBootstrap;
import io.zbpp.server.NodeSettings;
import io.zbpp.server.ProcessCluster;
import io.zbpp.server.Roles;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What {@code --processes} runs on (docs/cluster.md): a coordinator and {@code workers} one-device workers as
 * child JVMs on 127.0.0.1 ({@link ProcessCluster}), and this JVM joined as a client that submits jobs to the
 * coordinator singleton. {@link #close} leaves the cluster and stops every child.
 */
final class LocalCluster implements AutoCloseable {
  /**
   * Failure detection of a cluster whose JVMs share one host's cores: a JVM waiting seconds for a core (ten JVMs on
   * a busy laptop) is slow, not gone, so heartbeats may pause for 20 s before a node counts as unreachable (Pekko's
   * default, 3 s, let the split-brain resolver down every node of a loaded two-core machine while the cluster
   * formed). A child that dies still fails its job at once: its data links close, and the neighbouring stages
   * report the lost link.
   */
  static final Map<String, String> ONE_HOST = Map.of(
      "pekko.cluster.failure-detector.acceptable-heartbeat-pause", "20s",
      "pekko.remote.watch-failure-detector.acceptable-heartbeat-pause", "20s");

  private final ProcessCluster children;
  private final ClusterNode client;
  private final ActorRef<CoordinatorCommand> coordinator;

  private LocalCluster(ProcessCluster children, ClusterNode client) {
    this.children = children;
    this.client = client;
    this.coordinator = Roles.singleton(client.system(), ClusterCoordinator.behavior(Duration.ofSeconds(60)));
  }

  /**
   * Starts the children and joins them through their seed (never through ZBPP_DISCOVERY, which is for the nodes
   * of a Kubernetes cluster); on failure nothing is left running.
   *
   * @throws RunFailure when a child or this client does not come up
   */
  static LocalCluster start(int workers, String backend) {
    NodeRun.quietTransport();
    ProcessCluster children;
    try {
      children = ProcessCluster.start(workers, 1, backend, childJavaOptions(), Duration.ofSeconds(180));
    } catch (IllegalStateException e) {
      throw new RunFailure(e.getMessage());
    }
    ClusterNode client = null;
    try {
      client = ClusterNode.start(new NodeSettings("127.0.0.1", 0, List.of(children.seed()), OptionalInt.empty(),
          Optional.empty(), Duration.ofSeconds(60)), Roles.CLIENT, ctx -> { },
          ConfigFactory.parseString("pekko.log-dead-letters-during-shutdown = off\n"
              // a client that leaves a cluster with a dead member waits for nothing: its children stop anyway
              + "pekko.coordinated-shutdown.phases.cluster-leave.timeout = 2s\n"
              + "pekko.coordinated-shutdown.phases.cluster-exiting.timeout = 2s")
              .withFallback(ConfigFactory.parseMap(Map.of(KubernetesBootstrap.DISCOVERY_KEY, "seeds")))
              .withFallback(ConfigFactory.parseMap(ONE_HOST)));
      client.awaitUp(Duration.ofSeconds(60));
      return new LocalCluster(children, client);
    } catch (IllegalStateException e) {
      if (client != null) {
        client.close();
      }
      children.close();
      throw new RunFailure(e.getMessage());
    } catch (RuntimeException e) {
      if (client != null) {
        client.close();
      }
      children.close();
      throw e;
    }
  }

  /**
   * The child JVMs get this JVM's heap limit and {@code -XX:} options, if any were given (ZBPP_JAVA_OPTS, e.g.
   * {@code -XX:+UseSerialGC -XX:TieredStopAtLevel=1} for many JVMs on few cores), and the one-host failure
   * detection.
   */
  private static List<String> childJavaOptions() {
    List<String> options = new java.util.ArrayList<>(java.lang.management.ManagementFactory.getRuntimeMXBean()
        .getInputArguments().stream().filter(a -> a.startsWith("-Xmx") || a.startsWith("-XX:")).toList());
    ONE_HOST.forEach((key, value) -> options.add("-D" + key + "=" + value));
    return options;
  }

  /**
   * Trains one job on the workers.
   *
   * @throws RunFailure when the job fails (no stages, a stage failure)
   */
  TrainReport train(TrainSpec spec, LocalTraining.Listener listener) {
    try {
      return ClusterTraining.train(client.system(), coordinator, spec, listener);
    } catch (IllegalStateException e) {
      throw new RunFailure(e.getMessage());
    }
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      children.close();
    }
  }
}
