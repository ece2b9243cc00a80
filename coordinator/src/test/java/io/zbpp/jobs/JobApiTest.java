package io.zbpp.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.zbpp.client.JobSpecs;
import io.zbpp.client.ZbppClient;
import io.zbpp.client.ZbppException;
import io.zbpp.protocol.jobs.Iteration;
import io.zbpp.protocol.jobs.Job;
import io.zbpp.protocol.jobs.JobEvent;
import io.zbpp.protocol.jobs.JobResult;
import io.zbpp.protocol.jobs.JobSpec;
import io.zbpp.protocol.jobs.JobState;
import io.zbpp.protocol.jobs.ListResponse;
import io.zbpp.protocol.jobs.Planned;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job service over in-process gRPC (and once over loopback TCP) with a runner the test drives step by step:
 * queueing, devices, watch, cancel, auth, every error code, restart on the same data directory.
 */
class JobApiTest {
  @TempDir Path dir;
  private Path tokenFile;
  private JobStore store;
  private FakeRunner runner;
  private Server server;
  private ManagedChannel channel;
  private final String name = InProcessServerBuilder.generateName();

  /** A runner with {@code devices} devices whose jobs move only when the test says so. */
  static class FakeRunner implements JobRunner {
    final int devices;
    final Map<String, Events> started = new LinkedHashMap<>();
    final List<String> cancelled = new CopyOnWriteArrayList<>();

    FakeRunner(int devices) {
      this.devices = devices;
    }

    @Override
    public int devicesFor(JobSpec spec) {
      if (spec.getStages() < 1) {
        throw new SpecException("stages", "stages [" + spec.getStages() + "]: must be at least 1");
      }
      if (spec.getSchedule().isEmpty()) {
        throw new SpecException("schedule", "schedule []: required; expected one of 1f1b, zb-2p");
      }
      return spec.getStages();
    }

    @Override
    public int devices() {
      return devices;
    }

    @Override
    public synchronized Run start(String id, JobSpec spec, Events events) {
      started.put(id, events);
      return () -> cancelled.add(id);
    }

    synchronized Events of(String id) {
      return started.get(id);
    }

    /** Plans, runs every iteration of the spec and succeeds. */
    void runToEnd(String id, JobSpec spec) {
      Events e = of(id);
      e.planned(Planned.newBuilder().setSchedule(spec.getSchedule()).setPredictedBubbleRate(0.1)
          .addPlacement("local/stage-0").build());
      List<Double> losses = new ArrayList<>();
      for (int k = 0; k < spec.getIterations(); k++) {
        e.iteration(Iteration.newBuilder().setIteration(k).setIterations(spec.getIterations()).setLoss(10 - k)
            .build());
        losses.add(10.0 - k);
      }
      e.succeeded(JobResult.newBuilder().addAllLosses(losses).setParamsSha256("0f".repeat(32)).build());
    }
  }

  @BeforeEach
  void start() throws Exception {
    tokenFile = dir.resolve("tokens");
    Files.writeString(tokenFile, "# users\nalice:alice-secret\nbob:bob-secret\nadmin:root-secret\n");
    open(4);
  }

  private JobApi api;

  private void open(int devices) throws Exception {
    open(new FakeRunner(devices));
  }

  private void open(FakeRunner with) throws Exception {
    store = JobStore.open(dir.resolve("data"));
    runner = with;
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(JobApiServer.service(api = new JobApi(store, runner, java.time.Clock.systemUTC()),
            Tokens.load(tokenFile))).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    store.close();
  }

  private ZbppClient as(String token) {
    return ZbppClient.over(channel, token);
  }

  private static JobSpec spec(String name, int stages, int iterations) {
    return JobSpecs.builder("zb-2p", stages, 8).name(name).iterations(iterations).model("tiny").seed(11).build();
  }

  @Test
  void threeJobsQueueFifoOnDevicesWatchCancelAndList() throws Exception {
    ZbppClient alice = as("alice-secret");
    JobSpec a = spec("a", 2, 3);
    String ja = alice.submit(a);
    String jb = alice.submit(spec("b", 2, 5));
    String jc = alice.submit(spec("c", 4, 2));
    assertThat(List.of(ja, jb, jc)).containsExactly("job-000001", "job-000002", "job-000003");
    assertThat(alice.get(ja).getState()).isEqualTo(JobState.RUNNING);
    assertThat(alice.get(jb).getState()).isEqualTo(JobState.RUNNING);
    assertThat(alice.get(jc).getState()).as("4 devices, 2 + 2 in use").isEqualTo(JobState.QUEUED);
    assertThat(alice.get(ja).getOwner()).isEqualTo("alice");

    // two watchers of job a: a blocking iterator (started after the first iteration) and a callback
    List<JobEvent> byCallback = new CopyOnWriteArrayList<>();
    CompletableFuture<ZbppException> ended = new CompletableFuture<>();
    alice.watch(ja, byCallback::add, ended::complete);
    runner.of(ja).planned(Planned.newBuilder().setSchedule("zb-2p").build());
    runner.of(ja).iteration(Iteration.newBuilder().setIteration(0).setIterations(3).setLoss(9).build());
    ZbppClient.Events iterator = alice.watch(ja);
    runner.of(ja).iteration(Iteration.newBuilder().setIteration(1).setIterations(3).setLoss(8).build());
    runner.of(ja).iteration(Iteration.newBuilder().setIteration(2).setIterations(3).setLoss(7).build());
    runner.of(ja).succeeded(JobResult.newBuilder().addLosses(9).addLosses(8).addLosses(7)
        .setParamsSha256("ab".repeat(32)).build());
    List<JobEvent> byIterator = new ArrayList<>();
    iterator.forEachRemaining(byIterator::add);
    assertThat(ended.get(5, TimeUnit.SECONDS)).isNull();
    for (List<JobEvent> events : List.of(byIterator, byCallback)) {
      assertThat(events).extracting(JobEvent::getSequence).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
      assertThat(events).extracting(e -> e.getEventCase().name())
          .containsExactly("QUEUED", "PLANNED", "ITERATION", "ITERATION", "ITERATION", "FINISHED");
      assertThat(events).filteredOn(JobEvent::hasIteration).extracting(e -> e.getIteration().getIteration())
          .containsExactly(0, 1, 2);
      assertThat(events.get(5).getFinished().getState()).isEqualTo(JobState.SUCCEEDED);
    }
    assertThat(alice.result(ja).getLossesList()).containsExactly(9.0, 8.0, 7.0);
    assertThat(alice.result(ja).getId()).isEqualTo(ja);
    // job a's devices went to job c, which waited at the head of the queue
    assertThat(alice.get(jc).getState()).as("2 free, c needs 4").isEqualTo(JobState.QUEUED);

    // bob may not cancel alice's job b; alice cancels it mid-run; c starts on the freed devices
    runner.of(jb).iteration(Iteration.newBuilder().setIteration(0).setIterations(5).build());
    assertThatThrownBy(() -> as("bob-secret").cancel(jb)).isInstanceOfSatisfying(
        ZbppException.PermissionDenied.class, e -> assertThat(e).hasMessage(
            "job " + jb + " belongs to alice; only its owner or an admin token may cancel it"));
    assertThat(alice.cancel(jb)).isEqualTo(JobState.CANCELLED);
    assertThat(runner.cancelled).containsExactly(jb);
    assertThat(alice.get(jb).getReason()).isEqualTo("cancelled by alice");
    assertThat(alice.get(jb).getIterationsDone()).isEqualTo(1);
    runner.of(jb).iteration(Iteration.newBuilder().setIteration(1).setIterations(5).build());
    assertThat(alice.get(jb).getState()).as("events after cancel change nothing").isEqualTo(JobState.CANCELLED);
    assertThat(alice.get(jc).getState()).isEqualTo(JobState.RUNNING);
    // an admin may cancel anyone's job; cancelling a finished job keeps its state
    assertThat(as("root-secret").cancel(jc)).isEqualTo(JobState.CANCELLED);
    assertThat(alice.cancel(ja)).isEqualTo(JobState.SUCCEEDED);

    assertThat(alice.list()).extracting(Job::getId, Job::getState).containsExactly(
        org.assertj.core.groups.Tuple.tuple(ja, JobState.SUCCEEDED),
        org.assertj.core.groups.Tuple.tuple(jb, JobState.CANCELLED),
        org.assertj.core.groups.Tuple.tuple(jc, JobState.CANCELLED));
    assertThat(alice.list(JobState.CANCELLED)).extracting(Job::getId).containsExactly(jb, jc);
    ListResponse first = alice.listPage(JobState.JOB_STATE_UNSPECIFIED, 2, "");
    assertThat(first.getJobsList()).extracting(Job::getId).containsExactly(ja, jb);
    ListResponse second = alice.listPage(JobState.JOB_STATE_UNSPECIFIED, 2, first.getNextPageToken());
    assertThat(second.getJobsList()).extracting(Job::getId).containsExactly(jc);
    assertThat(second.getNextPageToken()).isEmpty();
    // a finished job's events replay from the records
    List<JobEvent> replay = new ArrayList<>();
    alice.watch(jb).forEachRemaining(replay::add);
    assertThat(replay).last().extracting(e -> e.getFinished().getState()).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void aSubmittedJobCheckpointsEveryTenIterationsIntoTheDataDirectoryUnlessItsSpecSays() {
    ZbppClient alice = as("alice-secret");
    String plain = alice.submit(spec("plain", 1, 3));
    String off = alice.submit(spec("off", 1, 3).toBuilder().setCheckpointEvery(0).build());
    String own = alice.submit(spec("own", 1, 3).toBuilder().setCheckpointEvery(2).setCheckpointDir("/shared/c")
        .build());
    String emulated = alice.submit(spec("emulated", 1, 3).toBuilder().setBackend("emulated").build());

    JobSpec p = alice.get(plain).getSpec();
    assertThat(p.getCheckpointEvery()).isEqualTo(10);
    assertThat(Path.of(p.getCheckpointDir())).isEqualTo(dir.resolve("data").toAbsolutePath().resolve("checkpoints")
        .resolve(plain));
    assertThat(alice.get(off).getSpec().getCheckpointEvery()).isZero();
    assertThat(alice.get(off).getSpec().getCheckpointDir()).isEmpty();
    assertThat(alice.get(own).getSpec().getCheckpointDir()).isEqualTo("/shared/c");
    assertThat(alice.get(emulated).getSpec().hasCheckpointEvery()).isFalse();
    assertThat(runner.started).containsKey(plain);
  }

  @Test
  void aWatcherThatLeavesChangesNothingAndTheOtherWatcherGetsEveryEvent() throws Exception {
    ZbppClient alice = as("alice-secret");
    JobSpec s = spec("w", 2, 4);
    String id = alice.submit(s);
    ZbppClient.Events leaving = alice.watch(id);
    ZbppClient.Events staying = alice.watch(id);
    assertThat(leaving.next().hasQueued()).isTrue();
    leaving.close();
    runner.runToEnd(id, s);
    List<JobEvent> events = new ArrayList<>();
    staying.forEachRemaining(events::add);
    assertThat(events).filteredOn(JobEvent::hasIteration).extracting(e -> e.getIteration().getIteration())
        .containsExactly(0, 1, 2, 3);
    assertThat(alice.get(id).getState()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void everyErrorHasItsCodeAndMessage() {
    ZbppClient alice = as("alice-secret");
    assertThatThrownBy(() -> alice.submit(spec("x", 0, 1))).isInstanceOfSatisfying(
        ZbppException.InvalidArgument.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e).hasMessage("stages [0]: must be at least 1");
        });
    assertThatThrownBy(() -> alice.submit(spec("x", 5, 1))).isInstanceOfSatisfying(
        ZbppException.FailedPrecondition.class, e -> assertThat(e).hasMessage("stages [5]: the job needs 5 worker "
            + "devices at once, the cluster has 4; add workers or use fewer stages"));
    assertThatThrownBy(() -> alice.submit(spec("n".repeat(1001), 1, 1))).isInstanceOfSatisfying(
        ZbppException.InvalidArgument.class, e -> assertThat(e).hasMessage("name [" + "n".repeat(20)
            + "…]: 1001 characters; at most 1000"));
    assertThatThrownBy(() -> alice.get("job-000099")).isInstanceOfSatisfying(ZbppException.NotFound.class,
        e -> assertThat(e).hasMessage("no job with id [job-000099] (zbpp jobs lists them)"));
    assertThatThrownBy(() -> alice.watch("nope").hasNext()).isInstanceOf(ZbppException.NotFound.class);
    assertThatThrownBy(() -> alice.cancel("nope")).isInstanceOf(ZbppException.NotFound.class);
    assertThatThrownBy(() -> alice.result("nope")).isInstanceOf(ZbppException.NotFound.class);
    String id = alice.submit(spec("r", 2, 1));
    assertThatThrownBy(() -> alice.result(id)).isInstanceOfSatisfying(ZbppException.FailedPrecondition.class,
        e -> assertThat(e).hasMessage("job " + id + " is RUNNING; a result exists once it has SUCCEEDED"));
    assertThatThrownBy(() -> alice.listPage(JobState.JOB_STATE_UNSPECIFIED, 0, "x")).isInstanceOfSatisfying(
        ZbppException.InvalidArgument.class, e -> assertThat(e).hasMessageStartingWith("pageToken [x]: "));
    assertThat(store.list(JobState.JOB_STATE_UNSPECIFIED, 0, 10)).as("rejected specs leave no record")
        .extracting(Job::getId).containsExactly(id);
  }

  @Test
  void noTokenOrAWrongTokenIsUnauthenticatedAndTheTokenFileReloads() throws Exception {
    for (String token : List.of("", "alice-secretx", "alice")) {
      assertThatThrownBy(() -> as(token).list()).isInstanceOfSatisfying(ZbppException.Unauthenticated.class,
          e -> assertThat(e.getMessage()).doesNotContain("secret"));
      assertThatThrownBy(() -> as(token).submit(spec("x", 1, 1)))
          .isInstanceOf(ZbppException.Unauthenticated.class);
    }
    assertThatThrownBy(() -> as("carol-secret").list()).isInstanceOf(ZbppException.Unauthenticated.class);
    Files.writeString(tokenFile, "carol:carol-secret\n");
    Files.setLastModifiedTime(tokenFile, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
    assertThat(as("carol-secret").list()).isEmpty();
    assertThatThrownBy(() -> as("alice-secret").list()).as("revoked").isInstanceOf(
        ZbppException.Unauthenticated.class);
    Files.writeString(tokenFile, "carol:carol-secret\nbroken line\n");
    Files.setLastModifiedTime(tokenFile, FileTime.fromMillis(System.currentTimeMillis() + 20_000));
    assertThat(as("carol-secret").list()).as("a broken file keeps the tokens read before").isEmpty();
    assertThatThrownBy(() -> Tokens.load(tokenFile)).hasMessage("--token-file [" + tokenFile + "]: line 2: "
        + "expected name:token");
    Files.writeString(tokenFile, "x".repeat(201) + ":t\n");
    assertThatThrownBy(() -> Tokens.load(tokenFile)).hasMessage("--token-file [" + tokenFile + "]: line 1: the name "
        + "has 201 characters; at most 200");
  }

  @Test
  void aRestartedCoordinatorListsTheSameJobsAndResultsResumesRunningOnesFirstThenQueuedOnes() throws Exception {
    ZbppClient alice = as("alice-secret");
    JobSpec s = spec("done", 2, 3);
    String done = alice.submit(s);
    runner.runToEnd(done, s);
    JobSpec r = spec("running", 2, 3);
    String running = alice.submit(r);
    JobRunner.Events first = runner.of(running);
    first.iteration(Iteration.newBuilder().setIteration(0).setIterations(3).setLoss(7.5).setMillis(40).build());
    first.iteration(Iteration.newBuilder().setIteration(1).setIterations(3).setLoss(6.5).setMillis(41).build());
    JobSpec q = spec("queued", 4, 3);
    String queued = alice.submit(q);
    JobResult result = alice.result(done);
    List<Job> before = alice.list();
    stop();
    open(4);
    ZbppClient again = as("alice-secret");
    List<Job> after = again.list();
    assertThat(after).extracting(Job::getId).containsExactlyElementsOf(before.stream().map(Job::getId).toList());
    assertThat(after.get(0)).isEqualTo(before.get(0));
    assertThat(again.result(done)).isEqualTo(result);
    assertThat(again.get(running).getState()).as("resumed first").isEqualTo(JobState.RUNNING);
    assertThat(again.get(queued).getState()).as("waits for the resumed job's devices").isEqualTo(JobState.QUEUED);
    assertThat(runner.started).containsOnlyKeys(running);
    assertThat(store.transitions(running)).containsExactly(JobState.QUEUED, JobState.RUNNING, JobState.QUEUED,
        JobState.RUNNING);
    // without a checkpoint yet it runs again from the start; a run resumed from a checkpoint computes only the
    // iterations after it (here: from iteration 1), and the result has every iteration's loss all the same
    JobRunner.Events resumed = runner.of(running);
    resumed.iteration(Iteration.newBuilder().setIteration(1).setIterations(3).setLoss(6.5).setMillis(39).build());
    resumed.iteration(Iteration.newBuilder().setIteration(2).setIterations(3).setLoss(5.5).setMillis(38).build());
    resumed.succeeded(JobResult.newBuilder().addLosses(6.5).addLosses(5.5).addIterationMillis(39)
        .addIterationMillis(38).setParamsSha256("0f".repeat(32)).build());
    assertThat(again.result(running).getLossesList()).containsExactly(7.5, 6.5, 5.5);
    assertThat(again.result(running).getIterationMillisList()).containsExactly(40.0, 39.0, 38.0);
    List<JobEvent> events = new ArrayList<>();
    try (ZbppClient.Events watched = again.watch(running)) {
      watched.forEachRemaining(events::add);
    }
    assertThat(events).filteredOn(JobEvent::hasRecovered).singleElement().satisfies(e -> {
      assertThat(e.getRecovered().getFromIteration()).isZero();
      assertThat(e.getRecovered().getFault()).isEqualTo("the coordinator stopped while the job was running");
    });
    assertThat(events).filteredOn(JobEvent::hasIteration).extracting(e -> e.getIteration().getIteration())
        .containsExactly(0, 1, 1, 2);

    assertThat(again.get(queued).getState()).as("the queued job starts on the freed devices").isEqualTo(
        JobState.RUNNING);
    runner.runToEnd(queued, q);
    assertThat(again.get(queued).getState()).isEqualTo(JobState.SUCCEEDED);
    events.clear();
    try (ZbppClient.Events watched = again.watch(queued)) {
      watched.forEachRemaining(events::add);
    }
    assertThat(events).extracting(JobEvent::getSequence).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(events.get(0).hasQueued()).isTrue();
    assertThat(events.get(1).hasPlanned()).isTrue();
    assertThat(again.submit(spec("next", 1, 1))).isEqualTo("job-000004");
  }

  @Test
  void aHandOverStopsTheRunsButKeepsTheirRecordsForTheNextCoordinator() throws Exception {
    ZbppClient alice = as("alice-secret");
    String running = alice.submit(spec("running", 2, 3));
    String queued = alice.submit(spec("queued", 4, 3));
    api.handOver();
    assertThat(runner.cancelled).containsExactly(running);
    assertThat(store.get(running).orElseThrow().getState()).isEqualTo(JobState.RUNNING);
    assertThat(store.get(queued).orElseThrow().getState()).isEqualTo(JobState.QUEUED);
    runner.of(running).iteration(Iteration.newBuilder().setIteration(0).setIterations(3).setLoss(1).build());
    assertThat(store.events(running)).as("a late event of a handed-over run is dropped").noneMatch(
        JobEvent::hasIteration);
  }

  @Test
  void aQueuedJobWhoseSpecNoLongerPassesFailsOnRestart() throws Exception {
    ZbppClient alice = as("alice-secret");
    alice.submit(spec("big", 4, 1));
    String waiting = alice.submit(spec("waits", 4, 1));
    stop();
    open(2);
    assertThat(as("alice-secret").get(waiting).getState()).as("too big for now: it waits").isEqualTo(
        JobState.QUEUED);
    stop();
    open(new FakeRunner(4) {
      @Override
      public int devicesFor(JobSpec spec) {
        throw new SpecException("stages", "stages [4]: no longer accepted");
      }
    });
    Job failed = as("alice-secret").get(waiting);
    assertThat(failed.getState()).isEqualTo(JobState.FAILED);
    assertThat(failed.getReason()).isEqualTo("stages [4]: no longer accepted");
  }

  @Test
  void oversizedRequestsAreResourceExhaustedOverTcp() throws Exception {
    try (JobApiServer tcp = JobApiServer.start(0, Optional.empty(), store, runner, Tokens.load(tokenFile));
        ZbppClient c = ZbppClient.connect("127.0.0.1:" + tcp.port(),
            ZbppClient.options().token("alice-secret"))) {
      assertThat(c.list()).isEmpty();
      JobSpec huge = spec("huge", 2, 1).toBuilder().setName("x".repeat(JobApiServer.MAX_REQUEST_BYTES)).build();
      assertThatThrownBy(() -> c.submit(huge)).isInstanceOfSatisfying(ZbppException.ResourceExhausted.class,
          e -> assertThat(e.getMessage()).contains(Integer.toString(JobApiServer.MAX_REQUEST_BYTES)));
      assertThat(c.submit(spec("small", 2, 1))).isEqualTo("job-000001");
    }
  }

  @Test
  void tlsWithTheClusterCertificateLayoutAndAClientThatTrustsAnotherCaIsRefused() throws Exception {
    Path tls = Path.of(getClass().getResource("/jobs-tls/tls.crt").toURI()).getParent();
    Path other = Path.of(getClass().getResource("/jobs-tls-other/ca.crt").toURI());
    try (JobApiServer server = JobApiServer.start(0, Optional.of(tls), store, runner, Tokens.load(tokenFile))) {
      String target = "localhost:" + server.port();
      try (ZbppClient c = ZbppClient.connect(target,
          ZbppClient.options().token("alice-secret").trust(tls.resolve("ca.crt")))) {
        assertThat(c.submit(spec("over-tls", 1, 1))).isEqualTo("job-000001");
      }
      try (ZbppClient c = ZbppClient.connect(target, ZbppClient.options().token("alice-secret").trust(other))) {
        assertThatThrownBy(c::list).isInstanceOf(ZbppException.Unavailable.class);
      }
      try (ZbppClient plain = ZbppClient.connect(target, ZbppClient.options().token("alice-secret"))) {
        assertThatThrownBy(plain::list).isInstanceOf(ZbppException.Unavailable.class);
      }
    }
    assertThatThrownBy(() -> JobApiServer.start(0, Optional.of(dir), store, runner, Tokens.load(tokenFile)))
        .hasMessage("--tls-dir [" + dir + "]: no readable tls.crt; expected tls.crt, tls.key and ca.crt (zbpp "
            + "certs writes them)");
  }
}
