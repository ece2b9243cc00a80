package io.zbpp.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.zbpp.server.DocumentedMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The optional monitoring component (deploy/k8s/components/monitoring) added to the cpu overlay, as {@code kubectl
 * kustomize} renders it: the ServiceMonitor selects a service with the management port it names and scrapes
 * {@code /metrics}; a NetworkPolicy lets Prometheus reach that port; the Grafana dashboard's ConfigMap holds valid
 * JSON whose every panel queries metric families docs/observability.md lists (MetricsEndpointTest checks those
 * against real scrapes).
 */
class MonitoringComponentTest {
  private static final Pattern METRIC = Pattern.compile("\\bzbpp_[a-z_]+");

  @TempDir Path dir;

  private List<JsonNode> render() throws Exception {
    Path k8s = ManifestTest.K8S.toAbsolutePath();
    Files.writeString(dir.resolve("kustomization.yaml"), "resources:\n  - " + dir.relativize(k8s.resolve(
        "overlays/cpu")) + "\ncomponents:\n  - " + dir.relativize(k8s.resolve("components/monitoring")) + "\n");
    List<JsonNode> docs = new ArrayList<>();
    try (YAMLParser parser = new YAMLFactory().createParser(ManifestTest.kustomize(dir))) {
      new ObjectMapper(new YAMLFactory()).readValues(parser, JsonNode.class).forEachRemaining(docs::add);
    }
    return docs;
  }

  private static JsonNode one(List<JsonNode> docs, String kind, String name) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind))
        .filter(d -> d.path("metadata").path("name").asText().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + "/" + name));
  }

  @Test
  void serviceMonitorScrapesTheManagementPortOfAServiceThatHasIt() throws Exception {
    List<JsonNode> docs = render();
    JsonNode monitor = one(docs, "ServiceMonitor", "zbpp");
    assertThat(monitor.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.path("metadata").path("namespace").asText()).isEqualTo("zbpp");
    Map<String, Object> selector = new ObjectMapper().convertValue(monitor.at("/spec/selector/matchLabels"),
        Map.class);
    List<JsonNode> services = docs.stream().filter(d -> d.path("kind").asText().equals("Service"))
        .filter(s -> new ObjectMapper().convertValue(s.at("/metadata/labels"), Map.class) != null
            && new ObjectMapper().convertValue(s.at("/metadata/labels"), Map.class).entrySet()
                .containsAll(selector.entrySet())).toList();
    assertThat(services).extracting(s -> s.at("/metadata/name").asText()).containsExactly("zbpp-cluster");
    JsonNode endpoint = monitor.at("/spec/endpoints/0");
    assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
    List<String> ports = new ArrayList<>();
    services.get(0).at("/spec/ports").forEach(p -> ports.add(p.path("name").asText()));
    assertThat(ports).contains(endpoint.path("port").asText());

    JsonNode policy = one(docs, "NetworkPolicy", "zbpp-prometheus");
    assertThat(policy.at("/spec/ingress/0/ports/0/port").asText()).isEqualTo(endpoint.path("port").asText());
    assertThat(policy.at("/spec/ingress/0/from/0/namespaceSelector/matchLabels").isObject()).isTrue();
  }

  @Test
  void grafanaDashboardIsValidJsonWhosePanelsQueryDocumentedFamilies() throws Exception {
    JsonNode map = one(render(), "ConfigMap", "zbpp-grafana-dashboard");
    assertThat(map.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
    JsonNode dashboard = new ObjectMapper().readTree(map.at("/data/zbpp-dashboard.json").asText());
    assertThat(dashboard.path("uid").asText()).isEqualTo("zbpp");
    assertThat(dashboard.path("panels").size()).isGreaterThanOrEqualTo(10);
    Set<String> documented = DocumentedMetrics.families();
    Set<String> queried = new TreeSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      String title = panel.path("title").asText();
      assertThat(panel.path("targets").size()).as(title).isPositive();
      for (JsonNode target : panel.path("targets")) {
        Matcher m = METRIC.matcher(target.path("expr").asText());
        assertThat(m.find()).as(title + " queries a zbpp metric").isTrue();
        do {
          String family = m.group().replaceFirst("_(bucket|count|sum)$", "");
          assertThat(documented).as(title + ": " + family).contains(family);
          queried.add(family);
        } while (m.find());
      }
    }
    assertThat(queried).contains("zbpp_bubble_realized_ratio", "zbpp_jobs_queued", "zbpp_message_latency_seconds",
        "zbpp_pass_duration_seconds", "zbpp_cluster_members");
  }
}
