package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.zbpp.client.JobSpecs;
import io.zbpp.client.ZbppClient;
import io.zbpp.client.ZbppException;
import io.zbpp.protocol.jobs.Job;
import io.zbpp.protocol.jobs.JobEvent;
import io.zbpp.protocol.jobs.JobResult;
import io.zbpp.protocol.jobs.JobSpec;
import io.zbpp.protocol.jobs.JobState;
import io.zbpp.server.ProcessCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the active coordinator's JVM in the middle of a submitted job, with a second coordinator
 * process on the same data directory (docs/faults.md "Coordinator failover"): the second takes the job API over,
 * resumes the job from its latest checkpoint, and the job ends with the losses and parameters of a run that was
 * never interrupted, bit for bit. Child JVMs on 127.0.0.1, all stopped in {@code finally}.
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class CoordinatorKillTest {
  private static final Pattern API_PORT = Pattern.compile("job API on port (\\d+)");
  private static final int ITERATIONS = 40;
  private static final int EVERY = 4;
  /** The checkpoint after which the active coordinator is killed. */
  private static final int KILL_AFTER = 8;

  @TempDir Path dir;

  private static int apiPort(String upLine) {
    Matcher m = API_PORT.matcher(upLine);
    assertThat(m.find()).as(upLine).isTrue();
    return Integer.parseInt(m.group(1));
  }

  @Test
  void aKilledCoordinatorsJobIsResumedByTheOtherCoordinatorBitForBit() throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "alice:alice-token\n");
    JobSpec spec = JobSpecs.builder("zb-2p", 2, 4).name("survives").iterations(ITERATIONS).model("tiny")
        .backend("cpu").seed(3).checkpointEvery(EVERY).build();
    JsonObject whole = Cli.run("train", "--schedule", "zb-2p", "--stages", "2", "--microbatches", "4", "--iterations",
        String.valueOf(ITERATIONS), "--model", "tiny", "--backend", "cpu", "--seed", "3", "--json").json();

    List<String> javaOptions = new ArrayList<>(List.of("-Xmx384m"));
    LocalCluster.ONE_HOST.forEach((k, v) -> javaOptions.add("-D" + k + "=" + v));
    javaOptions.add("-Dpekko.cluster.split-brain-resolver.stable-after=10s");
    try (ProcessCluster cluster = ProcessCluster.start(2, List.of("--api-port", "0", "--token-file",
        tokens.toString()), 2, 1, "cpu", javaOptions, Duration.ofSeconds(180))) {
      List<ProcessHandle> processes = cluster.processes();
      int first = apiPort(cluster.upLines().get(0));
      int second = apiPort(cluster.upLines().get(1));
      String id;
      try (ZbppClient active = ZbppClient.connect("127.0.0.1:" + first, ZbppClient.options().token("alice-token"));
          ZbppClient standby = ZbppClient.connect("127.0.0.1:" + second,
              ZbppClient.options().token("alice-token"))) {
        id = submitWhenActive(active, spec);
        assertThat(catchUnavailable(() -> standby.list())).as("the second coordinator is on standby")
            .contains("this coordinator is on standby").contains(cluster.upLines().get(0).split(" ")[4].replace(";", ""));
        CompletableFuture<Void> checkpointed = new CompletableFuture<>();
        AutoCloseable watch = active.watch(id, e -> {
          if (e.hasCheckpointWritten() && e.getCheckpointWritten().getIteration() >= KILL_AFTER) {
            checkpointed.complete(null);
          }
        }, e -> checkpointed.completeExceptionally(new AssertionError("the watch ended: " + e)));
        checkpointed.get(180, TimeUnit.SECONDS);
        watch.close();
        processes.get(0).destroyForcibly(); // kill -9: no shutdown hook, no leaving the cluster
        assertThat(processes.get(0).onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();

        Job done = awaitEnd(standby, id, Duration.ofSeconds(240));
        assertThat(done.getState()).as(done.getReason()).isEqualTo(JobState.SUCCEEDED);
        JobResult result = standby.result(id);
        assertThat(result.getParamsSha256()).isEqualTo(whole.get("paramsSha256").getAsString());
        List<Double> losses = new ArrayList<>();
        whole.getAsJsonArray("losses").forEach(l -> losses.add(l.getAsDouble()));
        assertThat(result.getLossesList()).isEqualTo(losses);
        List<JobEvent> events = new ArrayList<>();
        standby.watch(id).forEachRemaining(events::add);
        assertThat(events).filteredOn(JobEvent::hasRecovered).singleElement().satisfies(e ->
            assertThat(e.getRecovered().getFromIteration()).isGreaterThanOrEqualTo(KILL_AFTER));
      }
    }
  }

  /** Submits once the coordinator serves the job API (it is the active one once the singleton started there). */
  private static String submitWhenActive(ZbppClient client, JobSpec spec) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        return client.submit(spec);
      } catch (ZbppException.Unavailable e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  private static String catchUnavailable(Runnable call) {
    try {
      call.run();
      return "answered";
    } catch (ZbppException.Unavailable e) {
      return e.getMessage();
    }
  }

  /** Polls {@code client} until job {@code id} ends; the coordinator may be on standby for a while first. */
  private static Job awaitEnd(ZbppClient client, String id, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        Job j = client.get(id);
        if (j.getState() == JobState.SUCCEEDED || j.getState() == JobState.FAILED
            || j.getState() == JobState.CANCELLED) {
          return j;
        }
      } catch (ZbppException.Unavailable e) {
        // not taken over yet
      }
      Thread.sleep(500);
    }
    throw new AssertionError("job " + id + " did not end within " + timeout.toSeconds() + " s");
  }
}
