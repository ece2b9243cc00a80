package io.zbpp.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.zbpp.cluster.ClusterProvisioning.Outcome;
import io.zbpp.cluster.ClusterProvisioning.Provisioned;
import io.zbpp.cluster.ClusterProvisioning.ProvisioningFailed;
import io.zbpp.protocol.cluster.DescribeHost;
import io.zbpp.protocol.cluster.HostDescribed;
import io.zbpp.protocol.cluster.SpawnFailed;
import io.zbpp.protocol.cluster.SpawnStages;
import io.zbpp.protocol.cluster.StageHostCommand;
import io.zbpp.protocol.cluster.StageHosts;
import io.zbpp.protocol.cluster.StagesSpawned;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StopStage;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ClusterProvisioningTest {
  private static final ActorTestKit KIT = ActorTestKit.create(
      ConfigFactory.parseString("pekko.actor.serialize-messages = on").withFallback(ConfigFactory.load()));
  private static final Duration LONG = Duration.ofSeconds(20);

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  /** A stand-in stage host: registers, reports its free devices, answers a spawn with the given stage probes. */
  private static Behavior<StageHostCommand> fakeHost(String node, List<Integer> free,
      List<TestProbe<StageCommand>> stages, String refusal) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(StageHosts.KEY, ctx.getSelf()));
      return Behaviors.receive(StageHostCommand.class)
          .onMessage(DescribeHost.class, d -> {
            d.replyTo().tell(new HostDescribed(ctx.getSelf(), node, free.size() + 1, free, "cpu"));
            return Behaviors.same();
          })
          .onMessage(SpawnStages.class, s -> {
            if (refusal != null) {
              s.replyTo().tell(new SpawnFailed(s.job(), node, refusal));
            } else {
              s.replyTo().tell(new StagesSpawned(s.job(), node, s.slots().stream().map(x ->
                  new StagesSpawned.Spawned(x.stage(), x.device(), stages.get(x.stage()).ref())).toList()));
            }
            return Behaviors.same();
          }).build();
    });
  }

  private static List<TestProbe<StageCommand>> stageProbes(int n) {
    return IntStream.range(0, n).mapToObj(i -> KIT.<StageCommand>createTestProbe()).toList();
  }

  /** Stops hosts and waits until the Receptionist no longer lists them, so the next test starts clean. */
  @SafeVarargs
  private static void stop(ActorRef<StageHostCommand>... refs) {
    for (ActorRef<StageHostCommand> r : refs) {
      KIT.stop(r);
    }
    awaitListedHosts(0);
  }

  private static void awaitListedHosts(int n) {
    TestProbe<Receptionist.Listing> listing = KIT.createTestProbe();
    listing.awaitAssert(LONG, () -> {
      KIT.system().receptionist().tell(Receptionist.find(StageHosts.KEY, listing.ref()));
      assertThat(listing.expectMessageClass(Receptionist.Listing.class).getServiceInstances(StageHosts.KEY))
          .hasSize(n);
      return null;
    });
  }

  @Test
  void placesStagesOnTheWorkersAndAnswersTheirReferencesInStageOrder() {
    var stages = stageProbes(4);
    var b = KIT.spawn(fakeHost("node-b", List.of(0, 1), stages, null));
    var a = KIT.spawn(fakeHost("node-a", List.of(0, 1), stages, null));
    TestProbe<Outcome> reply = KIT.createTestProbe();
    JobEpoch job = new JobEpoch("placed", 1);
    KIT.spawn(ClusterProvisioning.create(job, 4, "", LONG, reply.ref()));

    Provisioned p = reply.expectMessageClass(Provisioned.class, LONG);
    assertThat(p.stages()).containsExactlyElementsOf(stages.stream().map(TestProbe::ref).toList());
    assertThat(p.placement().nodes()).containsExactly("node-a", "node-b");
    assertThat(p.placement().slots()).extracting(StagePlacement.Slot::device).containsExactly(0, 1, 0, 1);
    stop(a, b);
  }

  /** A worker that is leaving still answers; its devices are not used (its stages would be lost at once). */
  @Test
  void placesNoStageOnAWorkerThatIsLeaving() {
    var stages = stageProbes(2);
    var leaving = KIT.spawn(fakeHost("node-a", List.of(0, 1), stages, null));
    var staying = KIT.spawn(fakeHost("node-b", List.of(0), stages, null));
    TestProbe<Outcome> reply = KIT.createTestProbe();
    KIT.spawn(ClusterProvisioning.create(new JobEpoch("leaving", 1), 2, "", Duration.ofMillis(1500),
        (system, node) -> !node.equals("node-a"), reply.ref()));
    ProvisioningFailed f = reply.expectMessageClass(ProvisioningFailed.class, LONG);
    assertThat(f.message()).isEqualTo("needed 2 devices for 2 stages, found 1 free on 1 worker (1 more leaving the "
        + "cluster) within 1500 ms");
    TestProbe<Outcome> one = KIT.createTestProbe();
    KIT.spawn(ClusterProvisioning.create(new JobEpoch("one", 1), 1, "", LONG, (system, node) -> !node.equals("node-a"),
        one.ref()));
    assertThat(one.expectMessageClass(Provisioned.class, LONG).placement().nodes()).containsExactly("node-b");
    stop(leaving, staying);
  }

  @Test
  void waitsForWorkersThatJoinLater() {
    var stages = stageProbes(2);
    TestProbe<Outcome> reply = KIT.createTestProbe();
    KIT.spawn(ClusterProvisioning.create(new JobEpoch("late", 1), 2, "cpu", LONG, reply.ref()));
    var a = KIT.spawn(fakeHost("node-a", List.of(3), stages, null));
    reply.expectNoMessage(Duration.ofMillis(200));
    var b = KIT.spawn(fakeHost("node-b", List.of(0), stages, null));
    Provisioned p = reply.expectMessageClass(Provisioned.class, LONG);
    assertThat(p.placement().toString()).isEqualTo("stage 0: node-a device 3\nstage 1: node-b device 0\n");
    stop(a, b);
  }

  @Test
  void failsAfterTheTimeoutNamingHowManyDevicesWereNeededAndFound() {
    var a = KIT.spawn(fakeHost("node-a", List.of(0, 1), stageProbes(2), null));
    TestProbe<Outcome> reply = KIT.createTestProbe();
    KIT.spawn(ClusterProvisioning.create(new JobEpoch("short", 1), 4, "", Duration.ofMillis(800), reply.ref()));
    ProvisioningFailed f = reply.expectMessageClass(ProvisioningFailed.class, LONG);
    assertThat(f.message()).isEqualTo("needed 4 devices for 4 stages, found 2 free on 1 worker within 800 ms");
    stop(a);
  }

  @Test
  void takesOnlyWorkersOfTheJobsBackend() {
    var a = KIT.spawn(fakeHost("node-a", List.of(0, 1), stageProbes(2), null));
    TestProbe<Outcome> reply = KIT.createTestProbe();
    KIT.spawn(ClusterProvisioning.create(new JobEpoch("gpu", 1), 2, "cuda", Duration.ofMillis(800), reply.ref()));
    assertThat(reply.expectMessageClass(ProvisioningFailed.class, LONG).message()).isEqualTo(
        "needed 2 devices for 2 stages, found 0 free on 0 workers of backend cuda (1 more with another backend) "
            + "within 800 ms");
    stop(a);
  }

  /** Registers a probe as a stage host; the test answers for it. */
  private static TestProbe<StageHostCommand> probeHost() {
    TestProbe<StageHostCommand> host = KIT.createTestProbe();
    KIT.system().receptionist().tell(Receptionist.register(StageHosts.KEY, host.ref()));
    return host;
  }

  private static <T extends StageHostCommand> T next(TestProbe<StageHostCommand> host, Class<T> type) {
    return type.cast(host.fishForMessage(LONG, m -> type.isInstance(m) ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore()).get(0));
  }

  @Test
  void aRefusingWorkerFailsTheJobAndTheStagesAlreadyStartedAreStopped() {
    var stage0 = KIT.<StageCommand>createTestProbe();
    var a = probeHost();
    var b = probeHost();
    TestProbe<Outcome> reply = KIT.createTestProbe();
    JobEpoch job = new JobEpoch("refused", 1);
    KIT.spawn(ClusterProvisioning.create(job, 2, "", LONG, reply.ref()));
    next(a, DescribeHost.class).replyTo().tell(new HostDescribed(a.ref(), "node-a", 1, List.of(0), "cpu"));
    next(b, DescribeHost.class).replyTo().tell(new HostDescribed(b.ref(), "node-b", 1, List.of(0), "cpu"));
    SpawnStages toA = next(a, SpawnStages.class);
    SpawnStages toB = next(b, SpawnStages.class);
    toA.replyTo().tell(new StagesSpawned(job, "node-a", List.of(new StagesSpawned.Spawned(0, 0, stage0.ref()))));
    toB.replyTo().tell(new SpawnFailed(job, "node-b", "device 0 runs stage 1 of other@1"));

    ProvisioningFailed f = reply.expectMessageClass(ProvisioningFailed.class, LONG);
    assertThat(f.message()).isEqualTo("worker node-b could not start stages: device 0 runs stage 1 of other@1");
    assertThat(stage0.expectMessageClass(StopStage.class).job()).isEqualTo(job);
    KIT.system().receptionist().tell(Receptionist.deregister(StageHosts.KEY, a.ref()));
    KIT.system().receptionist().tell(Receptionist.deregister(StageHosts.KEY, b.ref()));
    awaitListedHosts(0);
  }
}
