package io.zbpp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.faults.Injection;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.runtime.ClusterTraining;
import io.zbpp.runtime.FaultPolicy;
import io.zbpp.runtime.LocalTraining;
import io.zbpp.runtime.TrainReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A worker dies mid-iteration (docs/faults.md): a cluster of actor systems in one JVM — a coordinator, four
 * one-device workers for two-stage jobs and a client, every message serialized over Artery — where an injected
 * kill-worker terminates the actor system of the worker hosting a stage. The coordinator sees the stage's actor
 * go (DeathWatch, when the worker leaves the cluster), places the job again on the free devices that are left
 * and replays it: the losses and the parameter digest equal the reference trainer's, bit for bit.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class WorkerLossTest {
  private static final int WORKERS = 4;
  private static final List<ClusterNode> NODES = new ArrayList<>();
  private static ClusterNode client;
  private static ActorRef<CoordinatorCommand> coordinator;
  /** Workers the jobs so far killed (one each). */
  private static int killed;

  @BeforeAll
  static void formCluster() {
    FaultPolicy faults = FaultPolicy.defaults()
        .withInject(List.of(Injection.parse("kill-worker:1@1.2")));
    ClusterNode c = ClusterNode.start(settings(List.of()), Roles.COORDINATOR,
        Roles.coordinator(ClusterCoordinator.behavior(Duration.ofSeconds(30), faults)), TestNodes.TEST);
    NODES.add(c);
    c.awaitUp(Duration.ofSeconds(30));
    for (int w = 0; w < WORKERS; w++) {
      NODES.add(ClusterNode.start(settings(List.of(c.seed())), Roles.WORKER,
          Roles.worker(1, "cpu", WorkerStages.fromProgram()), TestNodes.TEST));
    }
    client = ClusterNode.start(settings(List.of(c.seed())), Roles.CLIENT, ctx -> { },
        TestNodes.TEST);
    NODES.add(client);
    NODES.forEach(n -> n.awaitUp(Duration.ofSeconds(30)));
    coordinator = Roles.singleton(client.system(), ClusterCoordinator.behavior(Duration.ofSeconds(30), faults));
  }

  /** As the other cluster tests', with time to join on a loaded machine (six actor systems start at once). */
  private static NodeSettings settings(List<String> seeds) {
    return new NodeSettings("127.0.0.1", 0, seeds, OptionalInt.empty(), Optional.empty(), Duration.ofSeconds(60));
  }

  /** Waits (at most 60 s) until the client sees exactly {@code n} workers Up and none on its way out. */
  private static void awaitWorkersUp(int n) throws InterruptedException {
    org.apache.pekko.cluster.typed.Cluster cluster = org.apache.pekko.cluster.typed.Cluster.get(client.system());
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      long up = 0;
      long other = 0;
      for (org.apache.pekko.cluster.Member m : cluster.state().getMembers()) {
        if (m.hasRole(Roles.WORKER)) {
          if (m.status() == org.apache.pekko.cluster.MemberStatus.up()) {
            up++;
          } else {
            other++;
          }
        }
      }
      if (up == n && other == 0) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the cluster did not settle at " + n + " workers within 60 s");
  }

  @AfterAll
  static void stopCluster() {
    NODES.forEach(ClusterNode::close);
  }

  /** Each job kills one worker: four workers serve both jobs, two stages each, with a spare. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"1f1b", "zb-2p"})
  void aJobWhoseWorkerDiesRecoversOnASpareBitForBit(String schedule) throws InterruptedException {
    awaitWorkersUp(WORKERS - killed++); // the previous job's killed worker is gone: no placement on it
    TrainReport r = ClusterTraining.train(client.system(), coordinator, ClusterTrainingTest.spec(schedule, 1, 2),
        new LocalTraining.Listener() { });

    ClusterTrainingTest.Reference ref = ClusterTrainingTest.REFERENCE;
    assertThat(r.losses()).isEqualTo(ref.losses());
    assertThat(r.paramsSha256()).isEqualTo(ref.sha256());
    assertThat(r.recovery().faultsDetected()).isEqualTo(1);
    assertThat(r.recovery().recoveries()).isEqualTo(1);
    // the worker's stage host reports its stages as it leaves; a worker that vanishes is seen by DeathWatch
    assertThat(r.recovery().events()).singleElement().asString()
        .matches("(?s)stage 1 (lost: its actor .* stopped|failed: worker .* is leaving the cluster .*)");
  }
}
