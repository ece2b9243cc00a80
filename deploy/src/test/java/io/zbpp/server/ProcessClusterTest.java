package io.zbpp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.zbpp.gpu.cuda.CudaProbe;
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
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProcessClusterTest {
  private static final List<String> SMALL_JVM = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");

  @Test
  void aCoordinatorAndWorkersInChildJvmsFormAClusterAndAllStopOnClose() {
    List<ProcessHandle> children;
    try (ProcessCluster c = ProcessCluster.start(2, 1, "cpu", SMALL_JVM, Duration.ofSeconds(90))) {
      children = c.processes();
      assertThat(children).hasSize(3).allMatch(ProcessHandle::isAlive);
      ClusterNode client = ClusterNode.start(TestNodes.settings(List.of(c.seed()), Optional.empty()), Roles.CLIENT,
          ctx -> { }, TestNodes.TEST);
      try {
        client.awaitUp(Duration.ofSeconds(30));
        long workers = StreamSupport.stream(Cluster.get(client.system()).state().getMembers().spliterator(), false)
            .filter(m -> m.status() == MemberStatus.up() && m.hasRole(Roles.WORKER)).count();
        assertThat(workers).isEqualTo(2);
      } finally {
        client.close();
      }
    }
    assertThat(children).noneMatch(ProcessHandle::isAlive);
  }

  @Test
  void aChildThatCannotStartFailsTheClusterAndStopsTheOthers() {
    assumeFalse(CudaProbe.available(), "this machine has a CUDA device, so a cuda worker would start");
    assertThatThrownBy(() -> ProcessCluster.start(1, 1, "cuda", SMALL_JVM, Duration.ofSeconds(90)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("worker-0 exited before it was up")
        .hasMessageContaining("--backend cuda cannot start");
    assertThat(ProcessHandle.current().children()).noneMatch(h -> h.info().commandLine().orElse("")
        .contains("io.zbpp.cli.Main"));
  }
}
