package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.pipeline.ReferenceTrainer;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.JobEvent;
import io.zbpp.protocol.msg.JobFinished;
import io.zbpp.protocol.msg.JobOutcome;
import io.zbpp.protocol.msg.ResolvedJob;
import io.zbpp.protocol.msg.JobStarted;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.protocol.msg.ModelSpec;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.SubmitJob;
import io.zbpp.stage.ModelChunks;
import io.zbpp.stage.StageActor;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * The acceptance of the runtime seams: a stage actor started in a fresh actor system with nothing but
 * {@code StageActor.create()} — no factory, no shared static or volatile state — runs a job from protocol
 * messages alone (every message serialized), and trains the real model bit for bit like the reference trainer.
 */
class FreshStageHostTest {
  private static final int P = 2;
  private static final int M = 3;
  private static final int ITERATIONS = 2;
  private static final long SEED = 13;

  @Test
  void aStageActorInAFreshActorSystemRunsAJobFromProtocolMessagesAlone() {
    ActorTestKit kit = ActorTestKit.create("fresh-" + System.nanoTime(), ConfigFactory.parseString(
        "pekko.actor.serialize-messages = on").withFallback(ConfigFactory.load()));
    try {
      RunnerSpec runner = RunnerSpec.of("tiny", Backend.CPU, SEED, M, 1, P);
      ModelSpec model = ModelChunks.specOf(runner);
      ActorRef<CoordinatorCommand> coordinator = kit.spawn(Coordinator.create(
          InProcessStageProvisioner.create(request -> StageActor.create())), "coordinator");
      TestProbe<JobOutcome> client = kit.createTestProbe();
      TestProbe<JobEvent> events = kit.createTestProbe();
      ResolvedJob spec = new ResolvedJob("fresh", "zb-h1", "", P, M, 1, ITERATIONS, List.of(), List.of(), List.of(), 0,
          new ModelShape(8, 32, 4, 16, 1), 0, 0, 1024, OptimizerOptions.none(), List.of(), List.of(), List.of(),
          model);

      coordinator.tell(new SubmitJob(spec, client.ref(), Optional.of(events.ref())));

      JobStarted started = events.expectMessageClass(JobStarted.class);
      assertThat(started.schedule()).isEqualTo("zb-h1");
      assertThat(started.placement()).containsExactly("local/stage-0", "local/stage-1");
      JobFinished done = client.expectMessageClass(JobFinished.class, java.time.Duration.ofSeconds(60));
      try (ReferenceTrainer ref = new ReferenceTrainer(RunnerSpec.of("tiny", Backend.CPU, SEED, M, 1, 1))) {
        List<Double> losses = Arrays.stream(ref.run(ITERATIONS)).boxed().toList();
        assertThat(done.iterations().stream().map(IterationResult::loss).toList()).isEqualTo(losses);
        assertThat(done.paramsSha256()).isEqualTo(ref.parameterSha256());
      }
    } finally {
      kit.shutdownTestKit();
    }
  }
}
