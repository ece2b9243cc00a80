package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.zbpp.client.JobSpecs;
import io.zbpp.client.ZbppClient;
import io.zbpp.jobs.Tokens;
import io.zbpp.protocol.jobs.Job;
import io.zbpp.protocol.jobs.JobEvent;
import io.zbpp.protocol.jobs.JobResult;
import io.zbpp.protocol.jobs.JobState;
import io.zbpp.server.ClusterCoordinator;
import io.zbpp.server.ClusterNode;
import io.zbpp.server.NodeSettings;
import io.zbpp.server.Roles;
import io.zbpp.server.WorkerStages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job API on a cluster (what {@code zbpp coordinator --api-port} serves): a coordinator node and four
 * one-device workers as actor systems in one JVM over Artery on 127.0.0.1, every message serialized. The Java
 * client submits three jobs (two two-stage jobs run at once, a four-stage one waits for their devices), watches one to the end,
 * cancels one mid-run and lists all; the results' digests equal {@code zbpp train}'s; a coordinator restarted on
 * the same data directory reports the same jobs and results.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterJobApiTest {
  static final Config TEST = ConfigFactory.parseString("""
      pekko.actor.serialize-messages = on
      pekko.coordinated-shutdown.exit-jvm = off
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      pekko.log-dead-letters-during-shutdown = off
      pekko.cluster.gossip-interval = 200ms
      pekko.cluster.leader-actions-interval = 200ms
      """);
  private static final Duration PROVISION = Duration.ofSeconds(20);

  @TempDir Path dir;

  /** A node on loopback with an OS port and a 5 s join timeout (the cluster job tests share it). */
  static NodeSettings settings(List<String> seeds) {
    return new NodeSettings("127.0.0.1", 0, seeds, OptionalInt.empty(), Optional.empty(), Duration.ofSeconds(5));
  }

  private static ClusterNode coordinator() {
    ClusterNode c = ClusterNode.start(settings(List.of()), Roles.COORDINATOR,
        Roles.coordinator(ClusterCoordinator.behavior(PROVISION)), TEST);
    c.awaitUp(Duration.ofSeconds(30));
    return c;
  }

  @Test
  void submitWatchCancelListOnTheWorkersAndRestart() throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "alice:alice-token\n");
    Path data = dir.resolve("data");
    List<ClusterNode> nodes = new ArrayList<>();
    String a;
    String b;
    String c;
    List<Job> jobs;
    JobResult resultA;
    JobResult resultC;
    try {
      ClusterNode coordinator = coordinator();
      nodes.add(coordinator);
      CoordinatorServerCommand.Api api = CoordinatorServerCommand.serveApi(coordinator, data, 0, Optional.empty(),
          Tokens.load(tokens), PROVISION);
      for (int w = 0; w < 4; w++) {
        nodes.add(ClusterNode.start(settings(List.of(coordinator.seed())), Roles.WORKER,
            Roles.worker(1, "cpu", WorkerStages.fromProgram()), TEST));
      }
      nodes.forEach(n -> n.awaitUp(Duration.ofSeconds(30)));
      try (ZbppClient alice = ZbppClient.connect("127.0.0.1:" + api.port(),
          ZbppClient.options().token("alice-token"))) {
        api.devices(4).get(60, TimeUnit.SECONDS);
        a = alice.submit(JobSpecs.builder("zb-2p", 2, 4).name("watched").iterations(3).model("tiny").seed(11)
            .build());
        // b runs long enough to be cancelled after its first iteration; c needs all four devices, so it waits
        // until a has ended and b's stages have stopped
        b = alice.submit(JobSpecs.builder("1f1b", 2, 2).name("long").iterations(1000).model("tiny").build());
        c = alice.submit(JobSpecs.builder("zb-h1", 4, 8).name("queued").iterations(2).model("tiny").seed(5)
            .build());
        assertThat(alice.get(c).getState()).isEqualTo(JobState.QUEUED);

        CompletableFuture<Void> bIterated = new CompletableFuture<>();
        AutoCloseable bWatch = alice.watch(b, e -> {
          if (e.hasIteration()) {
            bIterated.complete(null);
          }
        }, e -> { });
        List<JobEvent> events = new ArrayList<>();
        alice.watch(a).forEachRemaining(events::add);
        assertThat(events).as("%s", events).extracting(JobEvent::getSequence)
            .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(events.get(1).getPlanned().getPlacementList()).hasSize(2)
            .allSatisfy(line -> assertThat(line).startsWith("pekko://").endsWith(" device 0"));
        assertThat(events).filteredOn(JobEvent::hasIteration).extracting(e -> e.getIteration().getIteration())
            .containsExactly(0, 1, 2);
        // its one checkpoint, after its last iteration (a submitted job's default), from the coordinator's node
        assertThat(events.get(5).getCheckpointWritten().getName()).isEqualTo("ckpt-000003");
        assertThat(events.get(6).getFinished().getState()).isEqualTo(JobState.SUCCEEDED);

        bIterated.get(120, TimeUnit.SECONDS);
        assertThat(alice.cancel(b)).isEqualTo(JobState.CANCELLED);
        bWatch.close();
        List<JobEvent> rest = new ArrayList<>();
        alice.watch(c).forEachRemaining(rest::add);
        assertThat(rest).last().extracting(e -> e.getFinished().getState()).as("%s", rest)
            .isEqualTo(JobState.SUCCEEDED);
        assertThat(rest).filteredOn(JobEvent::hasPlanned).singleElement()
            .satisfies(e -> assertThat(e.getPlanned().getPlacementList()).doesNotHaveDuplicates().hasSize(4));

        jobs = alice.list();
        assertThat(jobs).extracting(Job::getId).containsExactly(a, b, c);
        assertThat(jobs).extracting(Job::getState)
            .containsExactly(JobState.SUCCEEDED, JobState.CANCELLED, JobState.SUCCEEDED);
        assertThat(jobs.get(1).getIterationsDone()).isBetween(1, 999);
        resultA = alice.result(a);
        resultC = alice.result(c);
      }
      api.close();

      // the same specs through zbpp train: the same digests
      assertThat(resultA.getParamsSha256()).isEqualTo(trainDigest("zb-2p", "2", "4", "3", "11"));
      assertThat(resultC.getParamsSha256()).isEqualTo(trainDigest("zb-h1", "4", "8", "2", "5"));
    } finally {
      nodes.forEach(ClusterNode::close);
    }

    // a new coordinator on the same data directory reports the same jobs and results
    ClusterNode again = coordinator();
    try (CoordinatorServerCommand.Api api = CoordinatorServerCommand.serveApi(again, data, 0, Optional.empty(),
            Tokens.load(tokens), PROVISION);
        ZbppClient alice = ZbppClient.connect("127.0.0.1:" + api.port(),
            ZbppClient.options().token("alice-token"))) {
      api.active().get(60, TimeUnit.SECONDS);
      assertThat(alice.list()).isEqualTo(jobs);
      assertThat(alice.result(a)).isEqualTo(resultA);
      assertThat(alice.result(c)).isEqualTo(resultC);
    } finally {
      again.close();
    }
  }

  @Test
  void coordinatorApiBadInputIsOneLine() throws Exception {
    Cli noTokens = Cli.run("coordinator", "--api-port", "7070", "--data-dir", dir.resolve("d").toString());
    assertThat(noTokens.exit()).isEqualTo(2);
    assertThat(noTokens.err().strip()).isEqualTo("--api-port [7070]: the job API needs --token-file FILE "
        + "(name:token lines)");
    Path tokens = dir.resolve("tokens");
    Cli noApi = Cli.run("coordinator", "--token-file", tokens.toString(), "--data-dir", dir.resolve("d").toString());
    assertThat(noApi.exit()).isEqualTo(2);
    assertThat(noApi.err().strip()).isEqualTo("--token-file [" + tokens + "]: only with --api-port (the job API)");
    Cli missing = Cli.run("coordinator", "--api-port", "0", "--token-file", tokens.toString(), "--data-dir",
        dir.resolve("d").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err().strip()).startsWith("--token-file [" + tokens + "]: cannot read: ");
    Cli badPort = Cli.run("coordinator", "--api-port", "70000", "--token-file", tokens.toString());
    assertThat(badPort.exit()).isEqualTo(2);
    assertThat(badPort.err().strip()).isEqualTo("--api-port [70000]: expected 0 to 65535");
    Files.writeString(tokens, "alice:t\n");
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
      Cli inUse = Cli.run("coordinator", "--port", "0", "--api-port", Integer.toString(taken.getLocalPort()),
          "--token-file", tokens.toString(), "--data-dir", dir.resolve("d").toString());
      assertThat(inUse.exit()).isEqualTo(2);
      assertThat(inUse.err().strip()).startsWith("--api-port [" + taken.getLocalPort() + "]: cannot listen: ");
    }
  }

  private static String trainDigest(String schedule, String stages, String microbatches, String iterations,
      String seed) {
    JsonObject train = Cli.run("train", "--schedule", schedule, "--stages", stages, "--microbatches", microbatches,
        "--iterations", iterations, "--model", "tiny", "--backend", "cpu", "--seed", seed, "--json").json();
    return train.get("paramsSha256").getAsString();
  }
}
