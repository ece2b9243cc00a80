package io.zbpp.stage;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.zbpp.protocol.cluster.DescribeHost;
import io.zbpp.protocol.cluster.HostDescribed;
import io.zbpp.protocol.cluster.ProvisioningEvent;
import io.zbpp.protocol.cluster.SpawnFailed;
import io.zbpp.protocol.cluster.SpawnStages;
import io.zbpp.protocol.cluster.StageHostCommand;
import io.zbpp.protocol.cluster.StageHosts;
import io.zbpp.protocol.cluster.StageSlot;
import io.zbpp.protocol.cluster.StagesSpawned;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StopStage;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class StageHostTest {
  private static final ActorTestKit KIT = ActorTestKit.create(
      ConfigFactory.parseString("pekko.actor.serialize-messages = on").withFallback(ConfigFactory.load()));
  private static final JobEpoch JOB = new JobEpoch("job/1", 4);

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  /** A stand-in stage: stops on StopStage, as the real one does. */
  private static Behavior<StageCommand> stopsOnStop(JobEpoch job, int stage, int device) {
    return Behaviors.receive(StageCommand.class).onMessage(StopStage.class, s -> Behaviors.stopped()).build();
  }

  private static HostDescribed describe(ActorRef<StageHostCommand> host, TestProbe<ProvisioningEvent> probe) {
    host.tell(new DescribeHost(probe.ref()));
    return probe.expectMessageClass(HostDescribed.class);
  }

  @Test
  void registersWithTheReceptionistAndDescribesItsDevices() {
    ActorRef<StageHostCommand> host = KIT.spawn(StageHost.create(3, "cpu", StageHostTest::stopsOnStop));
    TestProbe<Receptionist.Listing> listings = KIT.createTestProbe();
    KIT.system().receptionist().tell(Receptionist.subscribe(StageHosts.KEY, listings.ref()));
    listings.fishForMessage(java.time.Duration.ofSeconds(5), l -> l.getServiceInstances(StageHosts.KEY)
        .contains(host) ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    HostDescribed d = describe(host, KIT.createTestProbe());
    assertThat(d.devices()).isEqualTo(3);
    assertThat(d.freeDevices()).containsExactly(0, 1, 2);
    assertThat(d.backend()).isEqualTo("cpu");
    assertThat(d.host()).isEqualTo(host);
  }

  @Test
  void spawnsOneStagePerDeviceAndFreesTheDeviceWhenTheStageStops() {
    ActorRef<StageHostCommand> host = KIT.spawn(StageHost.create(2, "cpu", StageHostTest::stopsOnStop));
    TestProbe<ProvisioningEvent> probe = KIT.createTestProbe();
    host.tell(new SpawnStages(JOB, List.of(new StageSlot(2, 0), new StageSlot(3, 1)), probe.ref()));
    StagesSpawned spawned = probe.expectMessageClass(StagesSpawned.class);
    assertThat(spawned.stages()).extracting(StagesSpawned.Spawned::stage).containsExactly(2, 3);
    assertThat(spawned.stages()).extracting(StagesSpawned.Spawned::device).containsExactly(0, 1);
    assertThat(spawned.stages().get(0).ref().path().name()).isEqualTo("stage-job_1-4-2");
    assertThat(describe(host, probe).freeDevices()).isEmpty();

    TestProbe<StageCommand> watcher = KIT.createTestProbe();
    spawned.stages().get(1).ref().tell(new StopStage(JOB));
    watcher.expectTerminated(spawned.stages().get(1).ref());
    probe.awaitAssert(() -> assertThat(describe(host, probe).freeDevices()).containsExactly(1));
  }

  @Test
  void refusesABusyOrUnknownDeviceAsAWhole() {
    ActorRef<StageHostCommand> host = KIT.spawn(StageHost.create(2, "emulated", StageHostTest::stopsOnStop));
    TestProbe<ProvisioningEvent> probe = KIT.createTestProbe();
    host.tell(new SpawnStages(JOB, List.of(new StageSlot(0, 0)), probe.ref()));
    probe.expectMessageClass(StagesSpawned.class);

    host.tell(new SpawnStages(new JobEpoch("other", 1), List.of(new StageSlot(0, 1), new StageSlot(1, 0)),
        probe.ref()));
    assertThat(probe.expectMessageClass(SpawnFailed.class).message()).isEqualTo("device 0 runs stage 0 of job/1@4");
    host.tell(new SpawnStages(new JobEpoch("other", 1), List.of(new StageSlot(0, 2)), probe.ref()));
    assertThat(probe.expectMessageClass(SpawnFailed.class).message())
        .isEqualTo("device 2: this worker has devices 0..1");
    assertThat(describe(host, probe).freeDevices()).containsExactly(1);
  }

  @Test
  void reportsAStageThatCannotStart() {
    ActorRef<StageHostCommand> host = KIT.spawn(StageHost.create(1, "cuda", (job, stage, device) -> {
      throw new IllegalStateException("no CUDA device");
    }));
    TestProbe<ProvisioningEvent> probe = KIT.createTestProbe();
    host.tell(new SpawnStages(JOB, List.of(new StageSlot(0, 0)), probe.ref()));
    assertThat(probe.expectMessageClass(SpawnFailed.class).message())
        .isEqualTo("stage 0 on device 0 did not start: no CUDA device");
    assertThat(describe(host, probe).freeDevices()).containsExactly(0);
  }
}
