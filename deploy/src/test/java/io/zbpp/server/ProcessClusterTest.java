package io.zbpp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.zbpp.gpu.cuda.CudaProbe;
import io.zbpp.runtime.ClusterTraining;
import io.zbpp.runtime.LocalTraining;
import io.zbpp.runtime.MessageLatency;
import io.zbpp.runtime.TrainReport;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real child JVMs on 127.0.0.1: they form a cluster, and none is left running afterwards. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ProcessClusterTest {
  private static final List<String> SMALL_JVM = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");

  /**
   * A coordinator and four workers in child JVMs, a job submitted from this JVM as a client: 1f1b, zb-2p and
   * zb-v on the tiny model end with the reference trainer's losses and digest, bit for bit, and their pass
   * timestamps order every waited-for message across JVMs causally; afterwards no child is alive.
   */
  @Test
  void jobsAcrossWorkerJvmsTrainBitForBitLikeOneDeviceAndNoChildOutlivesTheCluster() {
    List<ProcessHandle> children;
    java.nio.file.Path logs;
    try (ProcessCluster c = ProcessCluster.start(4, 1, "cpu", SMALL_JVM, Duration.ofSeconds(120))) {
      children = c.processes();
      logs = c.logs();
      assertThat(logs.resolve("worker-3.log")).exists();
      assertThat(children).hasSize(5).allMatch(ProcessHandle::isAlive);
      ClusterNode client = ClusterNode.start(TestNodes.settings(List.of(c.seed()), Optional.empty()), Roles.CLIENT,
          ctx -> { }, TestNodes.TEST);
      try {
        client.awaitUp(Duration.ofSeconds(60));
        long workers = StreamSupport.stream(Cluster.get(client.system()).state().getMembers().spliterator(), false)
            .filter(m -> m.status() == MemberStatus.up() && m.hasRole(Roles.WORKER)).count();
        assertThat(workers).isEqualTo(4);
        var coordinator = Roles.singleton(client.system(), ClusterCoordinator.behavior(Duration.ofSeconds(60)));
        for (String[] sv : new String[][] {{"1f1b", "1"}, {"zb-2p", "1"}, {"zb-v", "2"}}) {
          TrainReport r = ClusterTraining.train(client.system(), coordinator,
              ClusterTrainingTest.spec(sv[0], Integer.parseInt(sv[1])), new LocalTraining.Listener() { });
          assertThat(r.losses()).as(sv[0]).isEqualTo(ClusterTrainingTest.REFERENCE.losses());
          assertThat(r.paramsSha256()).as(sv[0]).isEqualTo(ClusterTrainingTest.REFERENCE.sha256());
          // every stage is in its own JVM: a consumer starts after its producer ended on the shared wall clock
          List<Double> latencies = MessageLatency.of(r, 4 * Integer.parseInt(sv[1]));
          assertThat(latencies).as(sv[0]).isNotEmpty().allMatch(ms -> ms > -0.05);
        }
      } finally {
        client.close();
      }
    }
    assertThat(children).noneMatch(ProcessHandle::isAlive);
    assertThat(logs).doesNotExist();
  }

  @Test
  void childrenDoNotInheritTheKubernetesDiscovery() {
    java.util.Map<String, String> env = new java.util.HashMap<>(java.util.Map.of("ZBPP_DISCOVERY", "kubernetes",
        "ZBPP_LOG_LEVEL", "INFO"));
    ProcessCluster.childEnvironment(env);
    assertThat(env).containsOnlyKeys("ZBPP_LOG_LEVEL");
  }

  @Test
  void aChildThatCannotStartFailsTheClusterAndStopsTheOthers() {
    assumeFalse(CudaProbe.available(), "this machine has a CUDA device, so a cuda worker would start");
    assertThatThrownBy(() -> ProcessCluster.start(1, 1, "cuda", SMALL_JVM, Duration.ofSeconds(90)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("worker-0 exited before it was up")
        .hasMessageContaining("--backend cuda cannot start")
        .satisfies(e -> {
          // the message names the child's log, which therefore stays
          java.nio.file.Path log = java.nio.file.Path.of(e.getMessage().replaceFirst(".*; see (\\S+\\.log).*", "$1"));
          assertThat(log).exists();
          try (var files = java.nio.file.Files.walk(log.getParent())) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
          }
        });
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
  }
}
