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
 * {@code kill -9} of a worker's or the active coordinator's JVM in the middle of a submitted job. The coordinator:
 * with a second coordinator
 * process on the same data directory (docs/faults.md "Coordinator failover"): the second takes the job API over,
 * resumes the job from its latest checkpoint, and the job ends with the losses and parameters of a run that was
 * never interrupted, bit for bit. Child JVMs on 127.0.0.1, all stopped in {@code finally}.
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class ProcessKillTest {
  private static final Pattern API_PORT = Pattern.compile("job API on port (\\d+)");
  /** Enough that the job is far from its end when the kill strikes (an iteration takes tens of ms). */
  private static final int ITERATIONS = 120;
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
    JobSpec spec = spec("zb-2p", 3);
    JsonObject whole = train(spec);
    try (ProcessCluster cluster = cluster(2, 2)) {
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
        assertRecoveredAsAWholeRun(standby, id, whole, KILL_AFTER);
      }
    }
  }

  /**
   * {@code kill -9} from outside of the worker JVM that hosts stage 1, after the job's checkpoint 4, with a spare
   * worker present: the neighbour's data link breaks, the coordinator places the job again on the spare and the
   * surviving worker, every stage restores the checkpoint, and the job ends as a run that never lost a worker.
   */
  @Test
  void aWorkerJvmKilledFromOutsideIsReplacedByTheSpareBitForBit() throws Exception {
    JobSpec spec = spec("1f1b", 4);
    JsonObject whole = train(spec);
    try (ProcessCluster cluster = cluster(1, 3)) {
      List<String> ups = cluster.upLines();
      List<ProcessHandle> processes = cluster.processes();
      try (ZbppClient alice = ZbppClient.connect("127.0.0.1:" + apiPort(ups.get(0)),
          ZbppClient.options().token("alice-token"))) {
        String id = submitWhenActive(alice, spec);
        CompletableFuture<String> stage1 = new CompletableFuture<>();
        CompletableFuture<Void> checkpointed = new CompletableFuture<>();
        AutoCloseable watch = alice.watch(id, e -> {
          if (e.hasPlanned()) {
            stage1.complete(e.getPlanned().getPlacement(1).split(" ")[0]);
          }
          if (e.hasCheckpointWritten() && e.getCheckpointWritten().getIteration() >= EVERY) {
            checkpointed.complete(null);
          }
        }, e -> checkpointed.completeExceptionally(new AssertionError("the watch ended: " + e)));
        checkpointed.get(180, TimeUnit.SECONDS);
        watch.close();
        String node = stage1.get();
        int worker = -1;
        for (int k = 1; k < ups.size(); k++) {
          if (ups.get(k).startsWith("zbpp worker up at " + node + " ")) {
            worker = k;
          }
        }
        assertThat(worker).as("the worker at %s among %s", node, ups).isPositive();
        processes.get(worker).destroyForcibly(); // kill -9
        assertThat(processes.get(worker).onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();

        Job done = awaitEnd(alice, id, Duration.ofSeconds(180));
        assertThat(done.getState()).as(done.getReason()).isEqualTo(JobState.SUCCEEDED);
        assertThat(com.google.gson.JsonParser.parseString(alice.result(id).getReportJson()).getAsJsonObject()
            .get("faultsDetected").getAsInt()).as("the kill struck before the job's end").isEqualTo(1);
        assertRecoveredAsAWholeRun(alice, id, whole, EVERY);
      }
    }
  }

  /** A submitted job of the tiny model that checkpoints every {@link #EVERY} iterations. */
  private static JobSpec spec(String schedule, long seed) {
    return JobSpecs.builder(schedule, 2, 4).iterations(ITERATIONS).model("tiny").backend("cpu").seed(seed)
        .checkpointEvery(EVERY).build();
  }

  /** The same job through {@code zbpp train} in this JVM, never interrupted. */
  private static JsonObject train(JobSpec spec) {
    return Cli.run("train", "--schedule", spec.getSchedule(), "--stages", "2", "--microbatches", "4", "--iterations",
        String.valueOf(ITERATIONS), "--model", "tiny", "--backend", "cpu", "--seed", String.valueOf(spec.getSeed()),
        "--json").json();
  }

  /**
   * Coordinators serving the job API on one data directory (the first is the active one) and one-device workers,
   * detecting a dead node as {@code zbpp train --processes} does, with the split-brain resolver's 10 s.
   */
  private ProcessCluster cluster(int coordinators, int workers) throws java.io.IOException {
    Path tokens = Files.writeString(dir.resolve("tokens"), "alice:alice-token\n");
    List<String> javaOptions = new ArrayList<>(List.of("-Xmx384m",
        "-Dpekko.cluster.split-brain-resolver.stable-after=10s"));
    LocalCluster.ONE_HOST.forEach((k, v) -> javaOptions.add("-D" + k + "=" + v));
    return ProcessCluster.start(coordinators, List.of("--api-port", "0", "--token-file", tokens.toString()), workers,
        1, "cpu", javaOptions, Duration.ofSeconds(180));
  }

  /** The job's result is {@code whole}'s, bit for bit, and it recovered once, from iteration {@code from} or later. */
  private static void assertRecoveredAsAWholeRun(ZbppClient client, String id, JsonObject whole, int from) {
    JobResult result = client.result(id);
    assertThat(result.getParamsSha256()).isEqualTo(whole.get("paramsSha256").getAsString());
    List<Double> losses = new ArrayList<>();
    whole.getAsJsonArray("losses").forEach(l -> losses.add(l.getAsDouble()));
    assertThat(result.getLossesList()).isEqualTo(losses);
    List<JobEvent> events = new ArrayList<>();
    client.watch(id).forEachRemaining(events::add);
    assertThat(events).filteredOn(JobEvent::hasRecovered).singleElement().satisfies(e ->
        assertThat(e.getRecovered().getFromIteration()).isGreaterThanOrEqualTo(from));
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
