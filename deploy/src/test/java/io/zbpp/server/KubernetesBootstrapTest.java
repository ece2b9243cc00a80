package io.zbpp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster Bootstrap with {@code kubernetes-api} discovery against fabric8's mock API server (HTTPS, its own
 * self-signed certificate as the service account's CA): pods labelled as the manifests label them, each with its
 * management port on 127.0.0.1. Pekko reads the API server's address from two environment variables, which the
 * build sets (surefire: ZBPP_TEST_K8S_API_HOST, ZBPP_TEST_K8S_API_PORT, a port reserved for this run).
 */
class KubernetesBootstrapTest {
  private static final String NAMESPACE = "zbpp";

  @Test
  @Timeout(120)
  void threeRunningPodsFormOneClusterAndAPendingPodIsNotJoined(@TempDir Path dir) throws Exception {
    String apiPort = System.getenv("ZBPP_TEST_K8S_API_PORT");
    assumeTrue(apiPort != null && !apiPort.startsWith("$"),
        "ZBPP_TEST_K8S_API_PORT is unset: run through Maven (deploy/pom.xml reserves the port)");
    MockWebServer web = new MockWebServer();
    JsonResponses responses = new JsonResponses(new KubernetesCrudDispatcher(List.of()));
    KubernetesMockServer api = new KubernetesMockServer(new Context(), web, new HashMap<>(), responses, true);
    api.init(InetAddress.getByName("127.0.0.1"), Integer.parseInt(apiPort));
    List<ClusterNode> nodes = new ArrayList<>();
    ClusterNode outsider = null;
    try (KubernetesClient client = api.createClient()) {
      Path token = Files.writeString(dir.resolve("token"), "test-token");
      Path ca = Path.of(web.getSelfSignedCertificate().certificatePath());
      List<Integer> ports = freePorts(4);
      // the pending pod's contact point would be the lowest address: were it discovered, bootstrap would wait
      // for it or join its cluster, so the three could only form their own cluster without it
      int pendingPort = ports.get(0);
      for (int i = 1; i < 4; i++) {
        putPod(client, "zbpp-worker-" + i, ports.get(i), "Running");
      }
      putPod(client, "zbpp-worker-pending", pendingPort, "Pending");
      assertThat(client.pods().inNamespace(NAMESPACE).withLabel("app.kubernetes.io/name", "zbpp").list()
          .getItems()).extracting(p -> p.getStatus().getPhase()).containsExactlyInAnyOrder(
              "Running", "Running", "Running", "Pending");

      // a live node behind the pending pod: a cluster of its own, answering bootstrap's probes
      outsider = ClusterNode.start(settings(pendingPort), Roles.WORKER, ctx -> { }, TestNodes.TEST);
      outsider.awaitUp(Duration.ofSeconds(30));

      Config bootstrap = KubernetesBootstrap.kubernetes(KubernetesBootstrap.DEFAULT_SELECTOR, 3)
          .withFallback(ConfigFactory.parseMap(Map.of(
              "pekko.discovery.kubernetes-api.api-ca-path", ca.toString(),
              "pekko.discovery.kubernetes-api.api-token-path", token.toString(),
              "pekko.discovery.kubernetes-api.api-service-host-env-name", "ZBPP_TEST_K8S_API_HOST",
              "pekko.discovery.kubernetes-api.api-service-port-env-name", "ZBPP_TEST_K8S_API_PORT",
              "pekko.discovery.kubernetes-api.pod-namespace", NAMESPACE,
              "pekko.management.cluster.bootstrap.contact-point-discovery.interval", "200ms",
              "pekko.management.cluster.bootstrap.contact-point-discovery.stable-margin", "1s",
              "pekko.management.cluster.bootstrap.contact-point.probe-interval", "200ms")))
          .withFallback(TestNodes.TEST);
      for (int i = 1; i < 4; i++) {
        nodes.add(ClusterNode.start(settings(ports.get(i)), Roles.WORKER, ctx -> { }, bootstrap));
      }
      for (ClusterNode n : nodes) {
        n.awaitUp(Duration.ofSeconds(60));
      }
      List<String> addresses = nodes.stream().map(ClusterNode::address).sorted().toList();
      for (ClusterNode n : nodes) {
        org.apache.pekko.actor.testkit.typed.javadsl.TestProbe<Void> probe =
            org.apache.pekko.actor.testkit.typed.javadsl.TestProbe.create(n.system());
        probe.awaitAssert(Duration.ofSeconds(30), () -> {
          assertThat(upMembers(n)).isEqualTo(addresses);
          return null;
        });
      }
      assertThat(upMembers(outsider)).containsExactly(outsider.address());
      // the nodes only listed the pods of their namespace: a verb the manifests' Role grants (get, list, watch)
      assertThat(responses.discoveryRequests).containsExactly("GET /api/v1/namespaces/" + NAMESPACE + "/pods");
      io.fabric8.kubernetes.api.model.rbac.Role role = new io.fabric8.kubernetes.client.utils.KubernetesSerialization()
          .<List<io.fabric8.kubernetes.api.model.HasMetadata>>unmarshal(
              Files.newInputStream(Path.of("k8s/base/rbac.yaml"))).stream()
          .filter(io.fabric8.kubernetes.api.model.rbac.Role.class::isInstance)
          .map(io.fabric8.kubernetes.api.model.rbac.Role.class::cast).findFirst().orElseThrow();
      assertThat(role.getRules()).singleElement().satisfies(r -> {
        assertThat(r.getResources()).containsExactly("pods");
        assertThat(r.getVerbs()).contains("list");
      });
    } finally {
      nodes.forEach(ClusterNode::close);
      if (outsider != null) {
        outsider.close();
      }
      api.destroy();
    }
  }

  @Test
  void theEnvironmentChoosesTheDiscovery() {
    assertThat(KubernetesBootstrap.enabled(KubernetesBootstrap.fromEnvironment(Map.of()))).isFalse();
    Config k = KubernetesBootstrap.fromEnvironment(Map.of("ZBPP_DISCOVERY", "kubernetes",
        "ZBPP_BOOTSTRAP_CONTACT_POINTS", "3"));
    assertThat(KubernetesBootstrap.enabled(k)).isTrue();
    assertThat(k.getInt("pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"))
        .isEqualTo(3);
    assertThat(k.getString("pekko.discovery.kubernetes-api.pod-label-selector"))
        .isEqualTo("app.kubernetes.io/name=zbpp");
    assertThatThrownBy(() -> KubernetesBootstrap.fromEnvironment(Map.of("ZBPP_DISCOVERY", "dns")))
        .hasMessage("ZBPP_DISCOVERY [dns]: expected seeds or kubernetes");
    assertThatThrownBy(() -> KubernetesBootstrap.fromEnvironment(Map.of("ZBPP_DISCOVERY", "kubernetes",
        "ZBPP_BOOTSTRAP_CONTACT_POINTS", "0"))).hasMessageStartingWith("ZBPP_BOOTSTRAP_CONTACT_POINTS [0]");
  }

  @Test
  void bootstrapNeedsTheManagementPort() {
    Config k = KubernetesBootstrap.kubernetes(KubernetesBootstrap.DEFAULT_SELECTOR, 1).withFallback(TestNodes.TEST);
    NodeSettings noManagement = new NodeSettings("127.0.0.1", 0, List.of(), OptionalInt.empty(), Optional.empty(),
        Duration.ofSeconds(5));
    assertThatThrownBy(() -> ClusterNode.start(noManagement, Roles.WORKER, ctx -> { }, k))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--management-port: required with ZBPP_DISCOVERY=kubernetes");
  }

  /**
   * The mock's answers with {@code Content-Type: application/json}, as a real API server sends them (the mock
   * sends none, and Pekko's discovery refuses anything but JSON).
   */
  private static final class JsonResponses extends Dispatcher {
    private final Dispatcher crud;

    JsonResponses(Dispatcher crud) {
      this.crud = crud;
    }

    /** What the nodes asked the API server (they authenticate with the service account's token). */
    final java.util.Set<String> discoveryRequests = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      if ("Bearer test-token".equals(request.getHeader("Authorization"))) {
        discoveryRequests.add(request.getMethod() + " " + request.getPath().replaceAll("\\?.*", ""));
      }
      return crud.dispatch(request).setHeader("Content-Type", "application/json");
    }
  }

  private static NodeSettings settings(int managementPort) {
    return new NodeSettings("127.0.0.1", 0, List.of(), OptionalInt.of(managementPort), Optional.empty(),
        Duration.ofSeconds(30));
  }

  private static List<String> upMembers(ClusterNode n) {
    return StreamSupport.stream(org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(n.system())).state()
            .getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).map(Member::address).map(Object::toString).sorted()
        .collect(Collectors.toList());
  }

  /** A pod as the manifests make one: their labels, a container port named management, IP 127.0.0.1. */
  private static void putPod(KubernetesClient client, String name, int managementPort, String phase) {
    Pod pod = new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(NAMESPACE)
        .addToLabels("app.kubernetes.io/name", "zbpp").addToLabels("app.kubernetes.io/component", "worker")
        .endMetadata()
        .withNewSpec().addNewContainer().withName("zbpp").withImage("zbpp")
        .addNewPort().withName("remoting").withContainerPort(25520).endPort()
        .addNewPort().withName(KubernetesBootstrap.MANAGEMENT_PORT_NAME).withContainerPort(managementPort).endPort()
        .endContainer().endSpec()
        .withNewStatus().withPhase(phase).withPodIP("127.0.0.1").endStatus()
        .build();
    client.pods().inNamespace(NAMESPACE).resource(pod).create();
    client.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
  }

  private static List<Integer> freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        sockets.add(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).sorted().toList();
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }
}
