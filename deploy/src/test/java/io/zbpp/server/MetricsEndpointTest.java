package io.zbpp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.runtime.ClusterTraining;
import io.zbpp.runtime.LocalTraining;
import io.zbpp.runtime.TrainReport;
import io.zbpp.runtime.TrainSpec;
import io.zbpp.server.PrometheusText.Family;
import io.zbpp.server.PrometheusText.Sample;
import io.zbpp.stage.ModelChunks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scrapes {@code /metrics} on the management port of a coordinator and two workers (actor systems in one JVM,
 * over Artery) while a job runs and after it ended, and reads both scrapes with a strict parser of the
 * Prometheus text format: the families are there with sane values and the counters never go down.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MetricsEndpointTest {
  private static final String MODEL = "tiny";
  private static final int STAGES = 2;
  private static final int MICROBATCHES = 4;
  private static final int ITERATIONS = 3;
  private static final List<ClusterNode> NODES = new ArrayList<>();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static ClusterNode coordinatorNode;
  private static ClusterNode client;
  private static ActorRef<CoordinatorCommand> coordinator;

  @BeforeAll
  static void formCluster() {
    coordinatorNode = ClusterNode.start(settings(List.of()), Roles.COORDINATOR,
        Roles.coordinator(ClusterCoordinator.behavior(Duration.ofSeconds(20))), TestNodes.TEST);
    NODES.add(coordinatorNode);
    coordinatorNode.awaitUp(Duration.ofSeconds(30));
    for (int w = 0; w < STAGES; w++) {
      NODES.add(ClusterNode.start(settings(List.of(coordinatorNode.seed())), Roles.WORKER,
          Roles.worker(1, "cpu", WorkerStages.fromProgram()), TestNodes.TEST));
    }
    client = ClusterNode.start(TestNodes.settings(List.of(coordinatorNode.seed()), Optional.empty()), Roles.CLIENT,
        ctx -> { }, TestNodes.TEST);
    NODES.add(client);
    NODES.forEach(n -> n.awaitUp(Duration.ofSeconds(30)));
    coordinator = Roles.singleton(client.system(), ClusterCoordinator.behavior(Duration.ofSeconds(20)));
  }

  private static NodeSettings settings(List<String> seeds) {
    return new NodeSettings("127.0.0.1", 0, seeds, OptionalInt.of(0), Optional.empty(), Duration.ofSeconds(5));
  }

  @AfterAll
  static void stopCluster() {
    NODES.forEach(ClusterNode::close);
  }

  private static TrainSpec spec() {
    GptConfig c = GptConfig.preset(MODEL);
    RunnerSpec runner = RunnerSpec.of(MODEL, Backend.CPU, 5, MICROBATCHES, 1, STAGES);
    return TrainSpec.builder("zb-h1", STAGES, MICROBATCHES).iterations(ITERATIONS).availableChunks(c.layers())
        .model(new ModelShape(c.layers(), c.hidden(), c.heads(), c.seqLen(), 1)).serializeMessages(true)
        .modelSpec(ModelChunks.specOf(runner)).build();
  }

  private static Map<String, Family> scrape(ClusterNode n) throws Exception {
    URI base = n.management().orElseThrow();
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    return PrometheusText.parse(r.body());
  }

  private static List<Sample> samples(Map<String, Family> m, String family) {
    assertThat(m).as("families").containsKey(family);
    return m.get(family).samples();
  }

  private static double value(Map<String, Family> m, String family, Map<String, String> labels) {
    return samples(m, family).stream().filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
        .findFirst().orElseThrow(() -> new AssertionError(family + labels + " missing")).value();
  }

  /** A histogram's {@code _count} for the series with {@code labels}. */
  private static double count(Map<String, Family> m, String family, Map<String, String> labels) {
    return samples(m, family).stream().filter(s -> s.name().equals(family + "_count"))
        .filter(s -> s.labels().entrySet().containsAll(labels.entrySet())).findFirst()
        .orElseThrow(() -> new AssertionError(family + "_count" + labels + " missing")).value();
  }

  @Test
  void metricsDuringAndAfterAJobAreValidPrometheusTextWithSaneValues() throws Exception {
    CountDownLatch scraped = new CountDownLatch(1);
    CompletableFuture<Void> firstIteration = new CompletableFuture<>();
    String jobId;
    CompletableFuture<TrainReport> run = CompletableFuture.supplyAsync(() ->
        ClusterTraining.train(client.system(), coordinator, spec(), new LocalTraining.Listener() {
          @Override
          public void iteration(IterationResult r) {
            if (r.iteration() == 0) {
              firstIteration.complete(null);
              try {
                scraped.await(60, TimeUnit.SECONDS); // the client's report of the job waits, not the job
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }
        }));
    firstIteration.get(120, TimeUnit.SECONDS);
    Map<String, Family> coord1 = scrape(coordinatorNode);
    List<Map<String, Family>> workers1 = new ArrayList<>();
    for (ClusterNode w : NODES.subList(1, 1 + STAGES)) {
      workers1.add(scrape(w));
    }
    scraped.countDown();
    TrainReport report = run.get(120, TimeUnit.SECONDS);
    assertThat(report.losses()).hasSize(ITERATIONS);
    Map<String, Family> coord2 = scrape(coordinatorNode);

    // the coordinator: the job's gauges, labelled with its id and stage
    assertThat(value(coord1, "zbpp_iterations_total", Map.of())).isGreaterThanOrEqualTo(1);
    assertThat(value(coord2, "zbpp_iterations_total", Map.of())).isEqualTo(ITERATIONS);
    assertThat(value(coord2, "zbpp_samples_total", Map.of())).isEqualTo(ITERATIONS * MICROBATCHES);
    jobId = samples(coord2, "zbpp_stage_busy_ratio").get(0).labels().get("job");
    assertThat(jobId).isNotBlank();
    for (Map<String, Family> m : List.of(coord1, coord2)) {
      for (String f : List.of("zbpp_stage_busy_ratio", "zbpp_stage_bubble_ratio")) {
        assertThat(samples(m, f)).hasSize(STAGES)
            .allSatisfy(s -> assertThat(s.value()).as(s.series()).isBetween(0.0, 1.0))
            .extracting(s -> s.labels().get("stage")).containsExactlyInAnyOrder("0", "1");
      }
      for (int s = 0; s < STAGES; s++) {
        Map<String, String> l = Map.of("stage", Integer.toString(s));
        assertThat(value(m, "zbpp_stage_busy_ratio", l) + value(m, "zbpp_stage_bubble_ratio", l))
            .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
      }
      assertThat(value(m, "zbpp_bubble_predicted_ratio", Map.of("job", jobId))).isBetween(0.0, 1.0);
      assertThat(value(m, "zbpp_bubble_realized_ratio", Map.of("job", jobId))).isBetween(0.0, 1.0);
      assertThat(value(m, "zbpp_samples_per_second", Map.of("job", jobId))).isPositive();
      assertThat(m.get("zbpp_iteration_duration_seconds").type()).isEqualTo("histogram");
      assertThat(value(m, "zbpp_optimizer_rollbacks_total", Map.of())).isZero();
      assertThat(value(m, "zbpp_optimizer_skipped_steps_total", Map.of())).isZero();
      assertThat(value(m, "zbpp_cluster_members", Map.of("role", "coordinator"))).isEqualTo(1);
      assertThat(value(m, "zbpp_cluster_members", Map.of("role", "worker"))).isEqualTo(STAGES);
      assertThat(value(m, "zbpp_cluster_members", Map.of("role", "client"))).isEqualTo(1);
      assertThat(m.keySet()).allSatisfy(name -> assertThat(name).startsWith("zbpp_"));
    }
    assertThat(value(coord2, "zbpp_jobs_finished_total", Map.of("outcome", "succeeded"))).isEqualTo(1);
    assertThat(value(coord2, "zbpp_job_iterations_completed", Map.of("job", jobId))).isEqualTo(ITERATIONS);
    assertThat(count(coord2, "zbpp_iteration_duration_seconds", Map.of())).isEqualTo(ITERATIONS);
    // stages on one host: the messages a stage waited for (stage 0 waits for stage 1's first B every iteration)
    assertThat(coord2.get("zbpp_message_latency_seconds").type()).isEqualTo("histogram");
    assertThat(count(coord2, "zbpp_message_latency_seconds", Map.of())).isGreaterThanOrEqualTo(ITERATIONS);
    assertMonotone(coord1, coord2);

    // the workers: pass durations by kind, tensor bytes both ways
    java.util.Set<String> families = new java.util.TreeSet<>(coord2.keySet());
    for (int w = 0; w < STAGES; w++) {
      Map<String, Family> after = scrape(NODES.get(1 + w));
      families.addAll(after.keySet());
      Family passes = after.get("zbpp_pass_duration_seconds");
      assertThat(passes).isNotNull();
      assertThat(passes.type()).isEqualTo("histogram");
      assertThat(passes.samples()).extracting(s -> s.labels().get("kind")).contains("F", "B", "W");
      assertThat(count(after, "zbpp_pass_duration_seconds", Map.of("kind", "F")))
          .isEqualTo(ITERATIONS * MICROBATCHES);
      assertThat(value(after, "zbpp_tensor_sent_bytes_total", Map.of())).isPositive();
      assertThat(value(after, "zbpp_tensor_received_bytes_total", Map.of())).isPositive();
      assertThat(value(after, "zbpp_stage_iterations_total", Map.of())).isEqualTo(ITERATIONS);
      assertThat(value(after, "zbpp_cluster_members", Map.of("role", "worker"))).isEqualTo(STAGES);
      assertThat(after).as("a worker runs no coordinator").doesNotContainKeys("zbpp_iterations_total",
          "zbpp_stage_busy_ratio");
      assertMonotone(workers1.get(w), after);
    }
    // every family the docs list is served (the job queue only beside the job API: DashboardBrowserTest)
    assertThat(families).containsAll(DocumentedMetrics.families().stream()
        .filter(f -> !f.equals("zbpp_jobs_queued")).toList());
  }

  /** Every counter and histogram series of {@code before} is in {@code after}, not smaller. */
  private static void assertMonotone(Map<String, Family> before, Map<String, Family> after) {
    for (Family f : before.values()) {
      if (!f.type().equals("counter") && !f.type().equals("histogram")) {
        continue;
      }
      for (Sample s : f.samples()) {
        if (s.name().endsWith("_created")) {
          continue;
        }
        Sample later = after.get(f.name()).samples().stream().filter(x -> x.series().equals(s.series()))
            .findFirst().orElseThrow(() -> new AssertionError(s.series() + " is gone"));
        assertThat(later.value()).as(s.series()).isGreaterThanOrEqualTo(s.value());
      }
    }
  }
}
