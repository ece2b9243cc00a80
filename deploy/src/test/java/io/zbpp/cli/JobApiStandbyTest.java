package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.client.ZbppClient;
import io.zbpp.client.ZbppException;
import io.zbpp.jobs.Tokens;
import io.zbpp.server.ClusterCoordinator;
import io.zbpp.server.ClusterNode;
import io.zbpp.server.NodeSettings;
import io.zbpp.server.Roles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two coordinators on one data directory (docs/faults.md "Coordinator failover"): the oldest serves the job API and
 * is ready; the other answers UNAVAILABLE naming it and is not ready (/ready answers 500), so a Kubernetes Service sends calls to the
 * active one only; when the active one leaves, the other takes the job API over, with the records, and is ready.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class JobApiStandbyTest {
  private static final Duration PROVISION = Duration.ofSeconds(20);

  @TempDir Path dir;

  private static ClusterNode coordinator(List<String> seeds) {
    ClusterNode n = ClusterNode.start(new NodeSettings("127.0.0.1", 0, seeds, OptionalInt.of(0), Optional.empty(),
            Duration.ofSeconds(5)), Roles.COORDINATOR, Roles.coordinator(ClusterCoordinator.behavior(PROVISION)),
        ClusterJobApiTest.TEST);
    n.awaitUp(Duration.ofSeconds(30));
    return n;
  }

  private static int ready(ClusterNode n) throws Exception {
    URI ready = n.management().orElseThrow().resolve("/ready");
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** The dashboard's login on {@code n}: its status and body. */
  private static HttpResponse<String> login(ClusterNode n) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(n.management().orElseThrow()
            .resolve("/dashboard/login")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"token\": \"alice-token\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theOldestCoordinatorServesTheOtherStandsByAndTakesOverWhenItLeaves() throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "alice:alice-token\n");
    Path data = dir.resolve("data");
    List<ClusterNode> nodes = new ArrayList<>();
    try {
      ClusterNode first = coordinator(List.of());
      nodes.add(first);
      CoordinatorServerCommand.Api active = CoordinatorServerCommand.serveApi(first, data, 0, Optional.empty(),
          Tokens.load(tokens), PROVISION);
      ClusterNode second = coordinator(List.of(first.seed()));
      nodes.add(second);
      CoordinatorServerCommand.Api standby = CoordinatorServerCommand.serveApi(second, data, 0, Optional.empty(),
          Tokens.load(tokens), PROVISION);
      active.active().get(60, TimeUnit.SECONDS);
      try (ZbppClient toFirst = ZbppClient.connect("127.0.0.1:" + active.port(),
              ZbppClient.options().token("alice-token"));
          ZbppClient toSecond = ZbppClient.connect("127.0.0.1:" + standby.port(),
              ZbppClient.options().token("alice-token"))) {
        assertThat(toFirst.list()).isEmpty();
        assertThatThrownBy(toSecond::list).isInstanceOf(ZbppException.Unavailable.class)
            .hasMessageContaining("this coordinator is on standby; the job API is served by the active coordinator ("
                + first.address() + ")");
        assertThat(ready(first)).isEqualTo(200);
        assertThat(ready(second)).as("a standby is not ready (Pekko Management answers 500)").isEqualTo(500);
        assertThat(login(first).statusCode()).isEqualTo(200);
        HttpResponse<String> standbyLogin = login(second);
        assertThat(standbyLogin.statusCode()).isEqualTo(503);
        assertThat(standbyLogin.body()).contains("this coordinator is on standby; the dashboard is served by the "
            + "active coordinator (" + first.address() + ")");

        first.close(); // leaves the cluster: the job-api singleton hands over
        standby.active().get(60, TimeUnit.SECONDS);
        assertThat(toSecond.list()).isEmpty();
        assertThat(ready(second)).isEqualTo(200);
        assertThat(login(second).statusCode()).isEqualTo(200);
      }
      standby.close();
    } finally {
      nodes.forEach(ClusterNode::close);
    }
  }
}
