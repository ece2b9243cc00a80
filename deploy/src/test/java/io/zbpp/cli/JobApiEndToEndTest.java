package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.zbpp.client.JobSpecs;
import io.zbpp.client.ZbppClient;
import io.zbpp.client.ZbppException;
import io.zbpp.jobs.JobApiServer;
import io.zbpp.jobs.JobStore;
import io.zbpp.jobs.Tokens;
import io.zbpp.protocol.jobs.Job;
import io.zbpp.protocol.jobs.JobEvent;
import io.zbpp.protocol.jobs.JobResult;
import io.zbpp.protocol.jobs.JobSpec;
import io.zbpp.protocol.jobs.JobState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job API end to end on loopback TCP with the in-JVM runtime: the Java client submits three jobs, watches
 * one to the end with two watchers, cancels one mid-run and lists all; the result equals {@code zbpp train}'s
 * digest; the CLI client commands; a restart on the same data directory.
 */
class JobApiEndToEndTest {
  @TempDir Path dir;

  private static JobSpec example() {
    return JobSpecs.builder("zb-2p", 4, 8).name("tiny-zb2p").iterations(3).model("tiny").backend("cpu").seed(11)
        .build();
  }

  @Test
  void submitWatchCancelListResultAndRestart() throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "alice:alice-token\nbob:bob-token\n");
    Path data = dir.resolve("data");
    JobStore store = JobStore.open(data);
    JobApiServer server = JobApiServer.start(0, Optional.empty(), store, new TrainJobRunner(8), Tokens.load(tokens));
    String target = "127.0.0.1:" + server.port();
    String a;
    String b;
    String c;
    JobResult resultA;
    List<Job> jobs;
    try (ZbppClient alice = ZbppClient.connect(target, ZbppClient.options().token("alice-token"))) {
      a = alice.submit(example());
      // b runs long enough to be cancelled after its first iteration
      b = alice.submit(JobSpecs.builder("1f1b", 2, 2).name("long").iterations(1000).model("tiny").build());
      c = alice.submit(JobSpecs.builder("zb-h1", 2, 4).name("short").iterations(2).model("tiny").seed(5).build());

      List<JobEvent> second = new CopyOnWriteArrayList<>();
      CompletableFuture<ZbppException> secondEnded = new CompletableFuture<>();
      alice.watch(a, second::add, secondEnded::complete);
      CompletableFuture<Void> bIterated = new CompletableFuture<>();
      AutoCloseable bWatch = alice.watch(b, e -> {
        if (e.hasIteration()) {
          bIterated.complete(null);
        }
      }, e -> { });
      List<JobEvent> first = new ArrayList<>();
      try (ZbppClient.Events events = alice.watch(a)) {
        events.forEachRemaining(first::add);
      }
      assertThat(secondEnded.get(60, TimeUnit.SECONDS)).isNull();
      for (List<JobEvent> events : List.of(first, second)) {
        assertThat(events).extracting(JobEvent::getSequence).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(events.get(0).hasQueued()).isTrue();
        assertThat(events.get(1).getPlanned().getSchedule()).isEqualTo("zb-2p");
        assertThat(events.get(1).getPlanned().getPlacementCount()).isEqualTo(4);
        assertThat(events).filteredOn(JobEvent::hasIteration).extracting(e -> e.getIteration().getIteration())
            .containsExactly(0, 1, 2);
        // its one checkpoint (see below), after the last iteration
        assertThat(events.get(5).getCheckpointWritten().getName()).isEqualTo("ckpt-000003");
        assertThat(events.get(6).getFinished().getState()).isEqualTo(JobState.SUCCEEDED);
      }
      assertThat(first).isEqualTo(second);

      bIterated.get(120, TimeUnit.SECONDS);
      try (ZbppClient bob = ZbppClient.connect(target, ZbppClient.options().token("bob-token"))) {
        assertThat(bob.get(b).getOwner()).isEqualTo("alice");
      }
      assertThat(alice.cancel(b)).isEqualTo(JobState.CANCELLED);
      bWatch.close();
      List<JobEvent> rest = new ArrayList<>();
      alice.watch(c).forEachRemaining(rest::add);
      assertThat(rest).last().extracting(e -> e.getFinished().getState()).isEqualTo(JobState.SUCCEEDED);

      jobs = alice.list();
      assertThat(jobs).extracting(Job::getId).containsExactly(a, b, c);
      assertThat(jobs).extracting(Job::getState)
          .containsExactly(JobState.SUCCEEDED, JobState.CANCELLED, JobState.SUCCEEDED);
      assertThat(jobs.get(1).getIterationsDone()).isBetween(1, 999);
      resultA = alice.result(a);
      assertThat(resultA.getLossesCount()).isEqualTo(3);
      // a submitted job takes checkpoints unless told not to: here after its last iteration, in the data directory
      Cli verified = Cli.run("checkpoint", "verify", data.resolve("checkpoints").resolve(a).toString());
      assertThat(verified.exit()).as(verified.err()).isZero();
      assertThat(verified.out()).startsWith("ckpt-000003: valid (4 shards");

      // the same spec through zbpp train: the same losses and digest
      JsonObject train = Cli.run("train", "--schedule", "zb-2p", "--stages", "4", "--microbatches", "8",
          "--iterations", "3", "--model", "tiny", "--backend", "cpu", "--seed", "11", "--json").json();
      assertThat(resultA.getParamsSha256()).isEqualTo(train.get("paramsSha256").getAsString());
      assertThat(resultA.getLossesList()).containsExactlyElementsOf(train.getAsJsonArray("losses").asList()
          .stream().map(e -> e.getAsDouble()).toList());

      // the CLI client commands against the same server
      Path tokenFile = dir.resolve("alice.token");
      Files.writeString(tokenFile, "alice:alice-token\n");
      String[] conn = {"--server", target, "--token-file", tokenFile.toString()};
      Cli result = Cli.run(concat(new String[] {"result", a, "--json"}, conn));
      assertThat(result.exit()).as(result.err()).isZero();
      JsonObject r = result.json();
      assertThat(r.get("id").getAsString()).isEqualTo(a);
      assertThat(r.get("state").getAsString()).isEqualTo("succeeded");
      assertThat(r.get("paramsSha256").getAsString()).isEqualTo(train.get("paramsSha256").getAsString());
      assertThat(r.getAsJsonArray("losses")).hasSize(3);
      Cli submitted = Cli.run(concat(new String[] {"submit", "../examples/tiny-zb2p.yaml", "--json", "--watch"},
          conn));
      assertThat(submitted.exit()).as(submitted.err()).isZero();
      List<String> lines = submitted.out().lines().toList();
      String d = JsonParser.parseString(lines.get(0)).getAsJsonObject().get("id").getAsString();
      assertThat(lines.subList(1, lines.size())).extracting(l -> JsonParser.parseString(l).getAsJsonObject())
          .filteredOn(o -> o.has("iteration")).hasSize(3);
      Cli digest = Cli.run(concat(new String[] {"result", d, "--json"}, conn));
      assertThat(digest.json().get("paramsSha256").getAsString()).isEqualTo(train.get("paramsSha256")
          .getAsString());
      Cli watched = Cli.run(concat(new String[] {"watch", a}, conn));
      assertThat(watched.exit()).isZero();
      assertThat(watched.out()).contains(a + " queued, 0 ahead", a + " planned: zb-2p, predicted bubble rate ",
          "iteration 1/3  loss ", "iteration 3/3  loss ", a + " checkpoint ckpt-000003 written: 3 iterations, ",
          a + " succeeded");
      Cli cancelledWatch = Cli.run(concat(new String[] {"watch", b}, conn));
      assertThat(cancelledWatch.exit()).isEqualTo(1);
      assertThat(cancelledWatch.out()).contains(b + " cancelled: cancelled by alice");
      Cli badState = Cli.run(concat(new String[] {"jobs", "--state", "done"}, conn));
      assertThat(badState.exit()).isEqualTo(2);
      assertThat(badState.err().strip()).isEqualTo("--state [done]: unknown; expected one of queued, running, "
          + "succeeded, failed, cancelled");
      Cli list = Cli.run(concat(new String[] {"jobs"}, conn));
      assertThat(list.out()).contains(a, b, c, d, "cancelled", "tiny-zb2p");
      Cli status = Cli.run(concat(new String[] {"status", b}, conn));
      assertThat(status.out()).contains("cancelled", "cancelled by alice");
      Cli missing = Cli.run(concat(new String[] {"status", "job-999999"}, conn));
      assertThat(missing.exit()).isEqualTo(1);
      assertThat(missing.err().strip()).isEqualTo("zbpp status: NOT_FOUND: no job with id [job-999999] (zbpp jobs "
          + "lists them)");
      Cli bad = Cli.run("submit", "--server", target, "--token-file", tokenFile.toString(), writeSpec(
          "schedule: zb-2p\nstages: 4\nmicrobatches: 8\niterations: 3\nmodel: huge\n").toString());
      assertThat(bad.exit()).isEqualTo(2);
      assertThat(bad.err()).startsWith("zbpp submit: INVALID_ARGUMENT: model [huge]: unknown preset; expected one of");
      Cli noToken = Cli.run("jobs", "--server", target);
      assertThat(noToken.exit()).isEqualTo(1);
      assertThat(noToken.err()).startsWith("zbpp jobs: UNAUTHENTICATED: ");
      jobs = alice.list();
    } finally {
      server.close();
      store.close();
    }

    // a restarted API on the same data directory lists the same jobs and results
    try (JobStore again = JobStore.open(data);
        JobApiServer restarted = JobApiServer.start(0, Optional.empty(), again, new TrainJobRunner(8),
            Tokens.load(tokens));
        ZbppClient alice = ZbppClient.connect("127.0.0.1:" + restarted.port(),
            ZbppClient.options().token("alice-token"))) {
      assertThat(alice.list()).isEqualTo(jobs);
      assertThat(alice.result(a)).isEqualTo(resultA);
    }
  }

  @Test
  void jobServerBadInputIsOneLine() throws Exception {
    Path tokens = dir.resolve("tokens");
    Cli missing = Cli.run("job-server", "--data-dir", dir.resolve("d").toString(), "--token-file",
        tokens.toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err().strip())
        .isEqualTo("--token-file [" + tokens + "]: no such file; expected a file of name:token lines");
    Files.writeString(tokens, "alice:t\n");
    Cli devices = Cli.run("job-server", "--data-dir", dir.resolve("d").toString(), "--token-file",
        tokens.toString(), "--devices", "0");
    assertThat(devices.exit()).isEqualTo(2);
    assertThat(devices.err().strip()).isEqualTo("--devices [0]: must be at least 1");
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
      Cli inUse = Cli.run("job-server", "--data-dir", dir.resolve("d").toString(), "--token-file",
          tokens.toString(), "--api-port", Integer.toString(taken.getLocalPort()));
      assertThat(inUse.exit()).isEqualTo(2);
      assertThat(inUse.err().strip()).startsWith("--api-port [" + taken.getLocalPort() + "]: cannot listen: ");
    }
    Cli noFile = Cli.run("submit", dir.resolve("nope.yaml").toString());
    assertThat(noFile.exit()).isEqualTo(2);
    assertThat(noFile.err().strip()).isEqualTo("SPEC [" + dir.resolve("nope.yaml") + "]: no such file");
  }

  private Path writeSpec(String yaml) throws Exception {
    Path f = dir.resolve("spec-" + System.nanoTime() + ".yaml");
    Files.writeString(f, yaml);
    return f;
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
