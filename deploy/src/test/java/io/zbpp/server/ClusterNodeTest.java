package io.zbpp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.cluster.ClusterProvisioning;
import io.zbpp.protocol.msg.JobEpoch;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several cluster nodes in one JVM on 127.0.0.1 forming a real cluster over TCP. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterNodeTest {
  private final List<ClusterNode> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    nodes.forEach(ClusterNode::close);
  }

  private ClusterNode keep(ClusterNode n) {
    nodes.add(n);
    return n;
  }

  private static long upMembers(ClusterNode n, String role) {
    return java.util.stream.StreamSupport.stream(Cluster.get(n.system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up() && m.hasRole(role)).count();
  }

  @Test
  void workersJoinTheCoordinatorAndTheirStagesArePlacedThroughTheReceptionist() throws Exception {
    ClusterNode coordinator = keep(TestNodes.coordinator(Optional.empty()));
    ClusterNode w1 = keep(TestNodes.worker(coordinator.seed(), 2, Optional.empty()));
    ClusterNode w2 = keep(TestNodes.worker(coordinator.seed(), 2, Optional.empty()));
    w1.awaitUp(Duration.ofSeconds(20));
    w2.awaitUp(Duration.ofSeconds(20));

    CompletableFuture<ClusterProvisioning.Outcome> outcome = new CompletableFuture<>();
    var reply = coordinator.system().systemActorOf(Behaviors.receive(ClusterProvisioning.Outcome.class)
        .onAnyMessage(o -> {
          outcome.complete(o);
          return Behaviors.stopped();
        }).build(), "reply", Props.empty());
    coordinator.system().systemActorOf(ClusterProvisioning.create(new JobEpoch("placed", 1), 4, "cpu",
        Duration.ofSeconds(20), reply), "provisioning", Props.empty());

    var placed = (ClusterProvisioning.Provisioned) outcome.get(30, TimeUnit.SECONDS);
    assertThat(placed.placement().nodes()).containsExactlyInAnyOrder(w1.address(), w2.address());
    assertThat(placed.placement().crossNodeEdges()).isEqualTo(1);
    assertThat(placed.stages()).allSatisfy(s -> assertThat(s.path().address().hasGlobalScope()).isTrue());
    assertThat(upMembers(coordinator, Roles.WORKER)).isEqualTo(2);
    assertThat(upMembers(coordinator, Roles.COORDINATOR)).isEqualTo(1);

    CompletableFuture<String> removed = new CompletableFuture<>();
    coordinator.system().systemActorOf(Behaviors.<org.apache.pekko.cluster.ClusterEvent.MemberRemoved>setup(ctx -> {
      Cluster.get(ctx.getSystem()).subscriptions().tell(org.apache.pekko.cluster.typed.Subscribe.create(ctx.getSelf(),
          org.apache.pekko.cluster.ClusterEvent.MemberRemoved.class));
      return Behaviors.receiveMessage(e -> {
        removed.complete(e.member().address().toString());
        return Behaviors.same();
      });
    }), "removed", Props.empty());
    w2.close();
    nodes.remove(w2);
    assertThat(removed.get(30, TimeUnit.SECONDS)).isEqualTo(w2.address());
  }

  @Test
  void servesReadyAndAliveOnTheManagementPort() throws Exception {
    NodeSettings s = new NodeSettings("127.0.0.1", 0, List.of(), OptionalInt.of(0), Optional.empty(),
        Duration.ofSeconds(5));
    ClusterNode n = keep(ClusterNode.start(s, Roles.COORDINATOR, ctx -> { }, TestNodes.TEST));
    n.awaitUp(Duration.ofSeconds(20));
    URI base = n.management().orElseThrow();
    HttpClient http = HttpClient.newHttpClient();
    for (String path : List.of("ready", "alive")) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/" + path)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path).isEqualTo(200);
    }
  }

  @Test
  void aPortInUseIsOneLineNamingTheOption() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      NodeSettings s = new NodeSettings("127.0.0.1", taken.getLocalPort(), List.of(), OptionalInt.empty(),
          Optional.empty(), Duration.ofSeconds(5));
      assertThatThrownBy(() -> keep(ClusterNode.start(s, Roles.COORDINATOR, ctx -> { }, TestNodes.TEST)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("--port [" + taken.getLocalPort() + "]: cannot bind 127.0.0.1:" + taken.getLocalPort()
              + " (in use, or not an address of this machine)");
    }
  }

  @Test
  void tlsNodesFromOneCaJoinAndANodeFromAnotherCaIsRefused(@TempDir Path dir) {
    CertificateAuthority ours = CertificateAuthority.create("ours");
    ours.issue(dir.resolve("coordinator"), "coordinator", List.of());
    ours.issue(dir.resolve("worker"), "worker", List.of());
    CertificateAuthority.create("theirs").issue(dir.resolve("intruder"), "worker", List.of());

    ClusterNode coordinator = keep(TestNodes.coordinator(Optional.of(dir.resolve("coordinator"))));
    assertThat(coordinator.system().settings().config().getString("pekko.remote.artery.transport"))
        .isEqualTo("tls-tcp");
    ClusterNode worker = keep(TestNodes.worker(coordinator.seed(), 1, Optional.of(dir.resolve("worker"))));
    worker.awaitUp(Duration.ofSeconds(20));

    ClusterNode intruder = keep(TestNodes.worker(coordinator.seed(), 1, Optional.of(dir.resolve("intruder"))));
    assertThatThrownBy(() -> intruder.awaitUp(Duration.ofSeconds(15)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("could not join the cluster at [pekko://zbpp@" + coordinator.seed() + "]");
    assertThat(upMembers(coordinator, Roles.WORKER)).isEqualTo(1);
  }

  @Test
  void missingTlsFilesAreOneLineNamingTheDirectory(@TempDir Path dir) {
    assertThatThrownBy(() -> keep(TestNodes.coordinator(Optional.of(dir))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--tls-dir [" + dir.toAbsolutePath() + "]: missing tls.key, tls.crt, ca.crt; expected PEM "
            + "files tls.key, tls.crt and ca.crt (zbpp certs makes them)");
  }
}
