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
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.OptimizerStats;

/**
 * With an optimizer check the coordinator issues iterations two ahead (docs/post-validation.md), completes them
 * in order even when a later iteration's reports come first, and sums the stages' optimizer statistics.
 */
class CoordinatorWindowTest {
  private static final ActorTestKit KIT = ActorTestKit.create(
      ConfigFactory.parseString("pekko.actor.serialize-messages = on").withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  /** Holds every even iteration until the next odd one arrives, then reports the odd one first. */
  static Behavior<StageCommand> reorderingStage(int stage) {
    return Behaviors.setup(ctx -> {
      LoadProgram[] load = new LoadProgram[1];
      int[] held = {-1};
      return Behaviors.receive(StageCommand.class)
          .onMessage(LoadProgram.class, l -> {
            load[0] = l;
            l.coordinator().tell(new ProgramLoaded(l.job(), stage));
            return Behaviors.same();
          })
          .onMessage(RunIteration.class, r -> {
            if (r.iteration() % 2 == 0) {
              held[0] = r.iteration();
              return Behaviors.same();
            }
            report(load[0], r.job(), stage, r.iteration());
            report(load[0], r.job(), stage, held[0]);
            return Behaviors.same();
          })
          .onMessage(FetchParameters.class, f -> {
            load[0].coordinator().tell(new ShardDigest(f.job(), stage,
                Map.of(stage, ParameterSha256.tensors(List.of(new float[] {stage}))), new OptimizerStats(1, 1, 0, 96,
                "exact")));
            return Behaviors.same();
          })
          .onMessage(StopStage.class, s -> Behaviors.stopped())
          .build();
    });
  }

  private static void report(LoadProgram l, io.zbpp.protocol.msg.JobEpoch job, int stage, int it) {
    List<LossRecord> losses = stage == l.chunkStage().size() - 1 ? List.of(new LossRecord(0, it)) : List.of();
    l.coordinator().tell(new IterationReport(job, stage, it, List.of(new PassRecord(ProgramOp.F, 0, stage, 1, 2)),
        losses, 8));
  }

  @Test
  void issuesTwoIterationsAheadAndCompletesThemInOrder() {
    ActorRef<CoordinatorCommand> coord = KIT.spawn(Coordinator.create(TestProvisioners.of((ctx, r) -> {
      int p = r.stages();
      List<ActorRef<StageCommand>> refs = new ArrayList<>();
      for (int s = 0; s < p; s++) {
        refs.add(ctx.spawn(reorderingStage(s), "w" + s));
      }
      return refs;
    })));
    TestProbe<JobOutcome> client = KIT.createTestProbe();
    ResolvedJob spec = new ResolvedJob("job", "1f1b", "", 2, 1, 1, 4, List.of(1.0), List.of(1.0), List.of(1.0), 0,
        new ModelShape(0, 0, 0, 0, 1), 0, 0, 4096, new OptimizerOptions(OptimizerOptions.Check.POST_VALIDATION, 0,
            OptimizerOptions.Rollback.EXACT, -1, -1), List.of(), List.of(), List.of(), ModelSpec.none());

    coord.tell(new SubmitJob(spec, client.ref()));

    JobFinished done = (JobFinished) client.receiveMessage();
    assertThat(done.iterations()).extracting(r -> r.iteration()).containsExactly(0, 1, 2, 3);
    assertThat(done.iterations()).extracting(r -> r.loss()).containsExactly(0.0, 1.0, 2.0, 3.0);
    assertThat(done.optimizer()).isEqualTo(new OptimizerStats(2, 1, 0, 96, "exact"));
  }
}
