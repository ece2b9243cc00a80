package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.FetchParameters;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.JobFailed;
import io.zbpp.protocol.msg.JobRejected;
import io.zbpp.protocol.msg.JobFinished;
import io.zbpp.protocol.msg.JobOutcome;
import io.zbpp.protocol.msg.ResolvedJob;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.LoadProgram;
import io.zbpp.protocol.msg.LossRecord;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.protocol.msg.ShardDigest;
import io.zbpp.protocol.msg.ParameterSha256;
import io.zbpp.protocol.msg.ModelSpec;
import java.util.Map;
import io.zbpp.protocol.msg.PassRecord;
import io.zbpp.protocol.msg.ProgramLoaded;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.RunIteration;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StageFailed;
import io.zbpp.protocol.msg.StopStage;
import io.zbpp.protocol.msg.SubmitJob;
import io.zbpp.protocol.msg.TensorFrames;
import io.zbpp.protocol.msg.TensorKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The coordinator against scripted stages (it cannot see the real stage actor), with serialize-messages on. */
class CoordinatorTest {
  /** Fault recovery off: a fault fails the job at once (recovery: FaultRecoveryTest). */
  private static final FaultPolicy NO_RECOVERY = FaultPolicy.defaults().withRecovery(0, FaultPolicy.RECOVERY_TIMEOUT);

  private static final ActorTestKit KIT = ActorTestKit.create(
      ConfigFactory.parseString("pekko.actor.serialize-messages = on").withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  static ResolvedJob spec(int p, int m, int iterations) {
    return new ResolvedJob("job", "1f1b", "", p, m, 1, iterations, List.of(1.0), List.of(1.0), List.of(1.0), 0,
        new ModelShape(0, 0, 0, 0, 1), 0, 0, 4096, OptimizerOptions.none(), List.of(), List.of(), List.of(),
        ModelSpec.none());
  }

  /** A stage that reports one pass and the loss j+stage per microbatch, and holds parameter {stage, 0.5}. */
  static Behavior<StageCommand> scriptedStage(int stage, boolean failOnRun) {
    return scriptedStage(stage, failOnRun, false);
  }

  static Behavior<StageCommand> scriptedStage(int stage, boolean failOnRun, boolean crashOnRun) {
    return Behaviors.setup(ctx -> {
      LoadProgram[] load = new LoadProgram[1];
      return Behaviors.receive(StageCommand.class)
          .onMessage(LoadProgram.class, l -> {
            load[0] = l;
            l.coordinator().tell(new ProgramLoaded(l.job(), stage));
            return Behaviors.same();
          })
          .onMessage(RunIteration.class, r -> {
            if (crashOnRun) {
              throw new IllegalStateException("stage crashed");
            }
            if (failOnRun) {
              load[0].coordinator().tell(new StageFailed(r.job(), stage, "F0 threw boom", ""));
              return Behaviors.same();
            }
            List<LossRecord> losses = new ArrayList<>();
            if (stage == load[0].chunkStage().size() - 1) {
              for (int j = 0; j < load[0].microbatches(); j++) {
                losses.add(new LossRecord(j, j + 0.25 * r.iteration()));
              }
            }
            load[0].coordinator().tell(new IterationReport(r.job(), stage, r.iteration(),
                List.of(new PassRecord(ProgramOp.F, 0, stage, 100, 200)), losses, 64));
            return Behaviors.same();
          })
          .onMessage(FetchParameters.class, f -> {
            load[0].coordinator().tell(new ShardDigest(f.job(), stage,
                Map.of(stage, ParameterSha256.tensors(List.of(new float[] {stage, 0.5f}))),
                io.zbpp.protocol.msg.OptimizerStats.none()));
            return Behaviors.same();
          })
          .onMessage(StopStage.class, s -> Behaviors.stopped())
          .build();
    });
  }

  @Test
  void drivesEveryIterationThenDigestsTheParametersInModelOrder() {
    AtomicInteger provisioned = new AtomicInteger();
    ActorRef<CoordinatorCommand> coord = KIT.spawn(Coordinator.create(TestProvisioners.of((ctx, r) -> {
      int p = r.stages();
      List<ActorRef<StageCommand>> refs = new ArrayList<>();
      for (int s = 0; s < p; s++) {
        refs.add(ctx.spawn(scriptedStage(s, false), "s" + s + "-" + provisioned.incrementAndGet()));
      }
      return refs;
    })));
    TestProbe<JobOutcome> client = KIT.createTestProbe();

    coord.tell(new SubmitJob(spec(3, 4, 2), client.ref()));

    JobFinished done = (JobFinished) client.receiveMessage();
    assertThat(done.iterations()).hasSize(2);
    assertThat(done.iterations().get(1).loss()).isEqualTo((0 + 1 + 2 + 3 + 4 * 0.25) / 4);
    assertThat(done.iterations().get(0).stages()).hasSize(3);
    assertThat(done.predictedBubbleRate()).isEqualTo(2.0 * 3 / (6 * 3));
    assertThat(done.paramsSha256()).isEqualTo(ParameterDigest.sha256(List.of(List.of(new float[] {0, 0.5f}),
        List.of(new float[] {1, 0.5f}), List.of(new float[] {2, 0.5f}))));
  }

  @Test
  void answersBadInputWithoutProvisioningAnyStage() {
    ActorRef<CoordinatorCommand> coord = KIT.spawn(Coordinator.create(TestProvisioners.of((ctx, r) -> {
      throw new AssertionError("no stage for bad input");
    })));
    TestProbe<JobOutcome> client = KIT.createTestProbe();

    coord.tell(new SubmitJob(spec(2, 0, 1), client.ref()));

    assertThat(client.expectMessageClass(JobRejected.class).message()).isEqualTo("microbatches [0]: must be at least 1");
  }

  @Test
  void failsTheJobWhenAStageFails() {
    ActorRef<CoordinatorCommand> coord = KIT.spawn(Coordinator.create(TestProvisioners.of((ctx, r) -> List.of(
        ctx.spawn(scriptedStage(0, false), "ok"), ctx.spawn(scriptedStage(1, true), "failing"))),
        Coordinator.PROVISION_TIMEOUT, NO_RECOVERY));
    TestProbe<JobOutcome> client = KIT.createTestProbe();

    coord.tell(new SubmitJob(spec(2, 2, 3), client.ref()));

    assertThat(client.expectMessageClass(JobFailed.class).message()).isEqualTo("stage 1 failed: F0 threw boom; "
        + "no recovery allowed (maxRecoveries 0); find the cause in the log and submit the job again");
  }

  @Test
  void failsTheJobWhenAStageActorStops() {
    ActorRef<CoordinatorCommand> coord = KIT.spawn(Coordinator.create(TestProvisioners.of((ctx, r) -> List.of(
        ctx.spawn(scriptedStage(0, false), "fine"), ctx.spawn(scriptedStage(1, false, true), "crashing"))),
        Coordinator.PROVISION_TIMEOUT, NO_RECOVERY));
    TestProbe<JobOutcome> client = KIT.createTestProbe();

    coord.tell(new SubmitJob(spec(2, 2, 1), client.ref()));

    assertThat(client.expectMessageClass(JobFailed.class).message())
        .matches("stage 1 lost: its actor pekko://CoordinatorTest/user/.*/provisioner/crashing stopped; no "
            + "recovery allowed \\(maxRecoveries 0\\); find the cause in the log and submit the job again");
  }

  @Test
  void failsTheJobNamingWhatTheProvisionerCouldNotFind() {
    ActorRef<CoordinatorCommand> coord = KIT.spawn(Coordinator.create(
        Behaviors.receive(StageProvisioner.Command.class)
            .onMessage(StageProvisioner.Provision.class, r -> {
              r.replyTo().tell(new StageProvisioner.ProvisionFailed(r.job(), "needed " + r.stages()
                  + " stage slots, found 2"));
              return Behaviors.same();
            })
            .onMessage(StageProvisioner.Release.class, r -> Behaviors.same())
            .build()));
    TestProbe<JobOutcome> client = KIT.createTestProbe();

    coord.tell(new SubmitJob(spec(4, 4, 1), client.ref()));

    assertThat(client.expectMessageClass(JobFailed.class).message())
        .isEqualTo("stages: needed 4 stage slots, found 2");
  }

  @Test
  void givesUpOnAProvisionerThatDoesNotAnswerAndStopsStagesThatComeLate() {
    TestProbe<StageProvisioner.Command> provisioner = KIT.createTestProbe();
    ActorRef<CoordinatorCommand> coord = KIT.spawn(Coordinator.create(
        Behaviors.monitor(StageProvisioner.Command.class, provisioner.ref(), Behaviors.ignore()),
        java.time.Duration.ofMillis(100)));
    TestProbe<JobOutcome> client = KIT.createTestProbe();

    coord.tell(new SubmitJob(spec(2, 2, 1), client.ref()));

    StageProvisioner.Provision asked = provisioner.expectMessageClass(StageProvisioner.Provision.class);
    assertThat(asked.stages()).isEqualTo(2);
    assertThat(asked.chunksPerStage()).isEqualTo(1);
    assertThat(client.expectMessageClass(JobFailed.class).message())
        .isEqualTo("stages: no answer from the provisioner within PT0.1S; needed 2 stage slots");
    provisioner.expectMessageClass(StageProvisioner.Release.class);
    TestProbe<StageCommand> late = KIT.createTestProbe();
    coord.tell(new StageProvisioner.Provisioned(asked.job(), List.of(late.ref(), late.ref()),
        List.of("late/0", "late/1")));
    late.expectMessageClass(StopStage.class);
    late.expectMessageClass(StopStage.class);
  }

  @Test
  void cancelledWhileItsStagesAreBeingPlacedItStopsThemOnceTheyArriveThenStops() {
    TestProbe<StageProvisioner.Command> provisioner = KIT.createTestProbe();
    ActorRef<CoordinatorCommand> coord = KIT.spawn(Coordinator.create(
        Behaviors.monitor(StageProvisioner.Command.class, provisioner.ref(), Behaviors.ignore())));
    TestProbe<JobOutcome> client = KIT.createTestProbe();
    TestProbe<Object> watcher = KIT.createTestProbe();

    coord.tell(new SubmitJob(spec(2, 2, 1), client.ref()));
    StageProvisioner.Provision asked = provisioner.expectMessageClass(StageProvisioner.Provision.class);
    coord.tell(Coordinator.Cancel.CANCEL);

    assertThat(client.expectMessageClass(JobFailed.class).message()).isEqualTo("cancelled");
    provisioner.expectNoMessage(java.time.Duration.ofMillis(200));
    TestProbe<StageCommand> stage0 = KIT.createTestProbe();
    TestProbe<StageCommand> stage1 = KIT.createTestProbe();
    coord.tell(new StageProvisioner.Provisioned(asked.job(), List.of(stage0.ref(), stage1.ref()),
        List.of("w/0", "w/1")));
    stage0.expectMessage(new StopStage(asked.job()));
    stage1.expectMessage(new StopStage(asked.job()));
    watcher.expectTerminated(coord);
  }

  @Test
  void cancelledWhileRunningItStopsItsStagesThenStops() {
    TestProbe<StageProvisioner.Command> provisioner = KIT.createTestProbe();
    TestProbe<StageCommand> stages = KIT.createTestProbe();
    ActorRef<CoordinatorCommand> coord = KIT.spawn(Coordinator.create(
        Behaviors.monitor(StageProvisioner.Command.class, provisioner.ref(), TestProvisioners.of(
            (ctx, r) -> List.of(stages.ref(), stages.ref())))));
    TestProbe<JobOutcome> client = KIT.createTestProbe();
    TestProbe<Object> watcher = KIT.createTestProbe();

    coord.tell(new SubmitJob(spec(2, 2, 1), client.ref()));
    StageProvisioner.Provision asked = provisioner.expectMessageClass(StageProvisioner.Provision.class);
    stages.expectMessageClass(LoadProgram.class);
    stages.expectMessageClass(LoadProgram.class);
    coord.tell(Coordinator.Cancel.CANCEL);

    assertThat(client.expectMessageClass(JobFailed.class).message()).isEqualTo("cancelled");
    stages.expectMessage(new StopStage(asked.job()));
    stages.expectMessage(new StopStage(asked.job()));
    watcher.expectTerminated(coord);
  }

  @Test
  void tellsTheProgressListenerThePlanAndPlacementItChose() {
    ActorRef<CoordinatorCommand> coord = KIT.spawn(Coordinator.create(TestProvisioners.of((ctx, r) -> {
      List<ActorRef<StageCommand>> refs = new ArrayList<>();
      for (int s = 0; s < r.stages(); s++) {
        refs.add(ctx.spawn(scriptedStage(s, false), "p" + s + "-" + r.job().epoch()));
      }
      return refs;
    })));
    TestProbe<JobOutcome> client = KIT.createTestProbe();
    TestProbe<io.zbpp.protocol.msg.JobEvent> events = KIT.createTestProbe();

    coord.tell(new SubmitJob(spec(2, 2, 1), client.ref(), java.util.Optional.of(events.ref())));

    io.zbpp.protocol.msg.JobStarted started = events.expectMessageClass(io.zbpp.protocol.msg.JobStarted.class);
    assertThat(started.schedule()).isEqualTo("1f1b");
    assertThat(started.placement()).containsExactly("test/stage-0", "test/stage-1");
    assertThat(started.planText()).startsWith("# schedule: 1f1b");
    events.expectMessageClass(io.zbpp.protocol.msg.JobProgress.class);
    client.expectMessageClass(JobFinished.class);
  }
}
