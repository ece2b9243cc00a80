package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.client.JobSpecs;
import io.zbpp.client.ZbppClient;
import io.zbpp.jobs.Tokens;
import io.zbpp.protocol.jobs.JobEvent;
import io.zbpp.protocol.jobs.JobSpec;
import io.zbpp.protocol.jobs.JobState;
import io.zbpp.server.ClusterCoordinator;
import io.zbpp.server.ClusterNode;
import io.zbpp.server.Roles;
import io.zbpp.server.WorkerStages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorNotFound;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cancelling cluster jobs at the earliest moment (as soon as Submit answered: the job has just gone from queued
 * to running and is being placed) and after it planned, on a coordinator node and two one-device workers in one
 * JVM over Artery: every time, the devices come back — a following job that needs both runs — and no actor of
 * the cancelled jobs stays on the coordinator node.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterJobCancelTest {
  /** Short, so that a device a cancelled job left taken fails the next job instead of letting it wait. */
  private static final Duration PROVISION = Duration.ofSeconds(10);

  @TempDir Path dir;


  @Test
  void jobsCancelledAtTheEarliestMomentFreeTheirDevicesAndLeaveNoActorBehind() throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), "alice:alice-token\n");
    List<ClusterNode> nodes = new ArrayList<>();
    try {
      ClusterNode coordinator = ClusterNode.start(ClusterJobApiTest.settings(List.of()), Roles.COORDINATOR,
          Roles.coordinator(ClusterCoordinator.behavior(PROVISION)), ClusterJobApiTest.TEST);
      nodes.add(coordinator);
      coordinator.awaitUp(Duration.ofSeconds(30));
      for (int w = 0; w < 2; w++) {
        nodes.add(ClusterNode.start(ClusterJobApiTest.settings(List.of(coordinator.seed())), Roles.WORKER,
            Roles.worker(1, "cpu", WorkerStages.fromProgram()), ClusterJobApiTest.TEST));
      }
      nodes.forEach(n -> n.awaitUp(Duration.ofSeconds(30)));
      try (CoordinatorServerCommand.Api api = CoordinatorServerCommand.serveApi(coordinator, dir.resolve("data"), 0,
              Optional.empty(), Tokens.load(tokens), PROVISION);
          ZbppClient alice = ZbppClient.connect("127.0.0.1:" + api.port(),
              ZbppClient.options().token("alice-token"))) {
        api.devices(2).get(60, TimeUnit.SECONDS);
        JobSpec longJob = JobSpecs.builder("1f1b", 2, 2).name("long").iterations(100_000).model("tiny").build();
        for (int k = 0; k < 3; k++) {
          String id = alice.submit(longJob);
          assertThat(alice.cancel(id)).isEqualTo(JobState.CANCELLED);
        }
        String planned = alice.submit(longJob);
        CompletableFuture<Void> hasPlanned = new CompletableFuture<>();
        try (AutoCloseable w = alice.watch(planned, e -> {
          if (e.hasPlanned()) {
            hasPlanned.complete(null);
          }
        }, e -> { })) {
          hasPlanned.get(60, TimeUnit.SECONDS);
          assertThat(alice.cancel(planned)).isEqualTo(JobState.CANCELLED);
        }

        String next = alice.submit(JobSpecs.builder("zb-h1", 2, 4).name("next").iterations(2).model("tiny")
            .build());
        List<JobEvent> events = new ArrayList<>();
        alice.watch(next).forEachRemaining(events::add);
        assertThat(events).last().as("%s", events).satisfies(e -> assertThat(e.getFinished().getState())
            .isEqualTo(JobState.SUCCEEDED));
      }
      ActorSystem classic = coordinator.system().classicSystem();
      awaitNone(classic, "/system/job-api-*-job-*");
      awaitNone(classic, "/system/events-*");
    } finally {
      nodes.forEach(ClusterNode::close);
    }
  }

  /** Waits until no actor matches {@code path} (its actors stop asynchronously), failing after 30 s. */
  private static void awaitNone(ActorSystem system, String path) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        String found = system.actorSelection(path).resolveOne(Duration.ofSeconds(1)).toCompletableFuture().get()
            .path().toString();
        assertThat(System.nanoTime()).as("%s still there", found).isLessThan(deadline);
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(ActorNotFound.class);
        return;
      }
    }
  }
}
