package io.zbpp.stage;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.zbpp.gpu.pipeline.HostTensor;
import io.zbpp.protocol.msg.CommandRejected;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.LoadProgram;
import io.zbpp.protocol.msg.FetchParameters;
import io.zbpp.protocol.msg.ShardDigest;
import io.zbpp.protocol.msg.ParameterSha256;
import io.zbpp.protocol.msg.ModelSpec;
import io.zbpp.protocol.msg.OptimizerOptions;
import java.util.Map;
import io.zbpp.protocol.msg.PassRecord;
import io.zbpp.protocol.msg.ProgramLoaded;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.RunIteration;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StageFailed;
import io.zbpp.protocol.msg.StageProgram;
import io.zbpp.protocol.msg.TensorAssembler;
import io.zbpp.protocol.msg.TensorFrame;
import io.zbpp.protocol.msg.TensorFrames;
import io.zbpp.protocol.msg.TensorKey;
import io.zbpp.protocol.msg.TensorKind;
import io.zbpp.protocol.msg.ProgramSwapped;
import io.zbpp.protocol.msg.SwapProgram;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class StageActorTest {
  private static final ActorTestKit KIT = ActorTestKit.create(
      ConfigFactory.parseString("pekko.actor.serialize-messages = on").withFallback(ConfigFactory.load()));
  private static final long SEED = 5;

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  private static ActorRef<StageCommand> spawnStage(int stage, int chunks, int m) {
    return KIT.spawn(StageActor.create((load, c) -> new ArithmeticChunkRunner(c, chunks, m, SEED)));
  }

  private static TensorAssembler.Tensor assemble(TestProbe<StageCommand> probe, int frames) {
    TensorAssembler asm = new TensorAssembler();
    Optional<TensorAssembler.Tensor> t = Optional.empty();
    for (int i = 0; i < frames; i++) {
      t = asm.add(probe.expectMessageClass(TensorFrame.class));
    }
    return t.orElseThrow();
  }

  @Test
  void runsItsProgramAndBuffersFramesThatArriveBeforeTheirReceive() {
    JobEpoch job = new JobEpoch("buffer", 1);
    TestProbe<StageCommand> stage0 = KIT.createTestProbe();
    TestProbe<CoordinatorCommand> coord = KIT.createTestProbe();
    ActorRef<StageCommand> stage1 = spawnStage(1, 2, 1);
    stage1.tell(new LoadProgram(job, StageProgram.parse("1: 1RECV_F0 1F0 1LOSS0 1BW0 1SEND_B0 1STEP"), 1,
        List.of(0, 1), 8, List.of(stage0.ref(), stage1), coord.ref(), OptimizerOptions.none(), ModelSpec.none()));
    coord.expectMessage(new ProgramLoaded(job, 1));
    float[][] inputs = {{0.5f, -1f, 0.25f, 2f}, {1f, 1f, -1f, 0.125f}};
    for (int it = 0; it < 2; it++) { // both iterations' activations arrive before iteration 0 starts
      TensorFrames.split(job, TensorKey.activation(it, 0, 1), new int[] {4}, inputs[it], 8).forEach(stage1::tell);
    }
    ArithmeticChunkRunner twin = new ArithmeticChunkRunner(1, 2, 1, SEED);

    for (int it = 0; it < 2; it++) {
      stage1.tell(new RunIteration(job, it));
      TensorAssembler.Tensor grad = assemble(stage0, 2);
      IterationReport report = coord.expectMessageClass(IterationReport.class);

      twin.forward(it, 0, new HostTensor(new int[] {4}, inputs[it]));
      double loss = twin.loss(0);
      float[] expected = twin.backwardInput(0, null).data();
      twin.backwardWeight(0);
      twin.step(it);
      assertThat(grad.key()).isEqualTo(new TensorKey(it, TensorKind.GRADIENT, 0, 0, 0));
      assertThat(grad.data()).isEqualTo(expected);
      assertThat(report.iteration()).isEqualTo(it);
      assertThat(report.passes()).extracting(PassRecord::op).containsExactly(ProgramOp.F, ProgramOp.BW);
      assertThat(report.passes()).allSatisfy(p -> assertThat(p.endNanos()).isGreaterThanOrEqualTo(p.startNanos()));
      assertThat(report.losses()).singleElement().satisfies(l -> assertThat(l.loss()).isEqualTo(loss));
    }
  }

  @Test
  void rejectsCommandsFromAStaleEpochAndKeepsRunningTheCurrentOne() {
    JobEpoch current = new JobEpoch("fenced", 2);
    TestProbe<CoordinatorCommand> coord = KIT.createTestProbe();
    ActorRef<StageCommand> stage = spawnStage(0, 1, 1);
    stage.tell(new LoadProgram(current, StageProgram.parse("0: 0F0 0LOSS0 0B0 0W0 0STEP"), 1, List.of(0), 64,
        List.of(stage), coord.ref(), OptimizerOptions.none(), ModelSpec.none()));
    coord.expectMessage(new ProgramLoaded(current, 0));

    stage.tell(new RunIteration(new JobEpoch("fenced", 1), 0));
    stage.tell(new RunIteration(new JobEpoch("other-job", 2), 0));
    stage.tell(new RunIteration(current, 0));

    CommandRejected stale = coord.expectMessageClass(CommandRejected.class);
    assertThat(stale.job()).isEqualTo(new JobEpoch("fenced", 1));
    assertThat(stale.reason()).isEqualTo("RunIteration: stale epoch fenced@1, loaded fenced@2");
    assertThat(coord.expectMessageClass(CommandRejected.class).reason()).contains("stale epoch other-job@2");
    IterationReport report = coord.expectMessageClass(IterationReport.class);
    assertThat(report.job()).isEqualTo(current);
    assertThat(report.passes()).extracting(PassRecord::op).containsExactly(ProgramOp.F, ProgramOp.B, ProgramOp.W);
  }

  @Test
  void swapsItsProgramBetweenIterationsKeepingItsParameters() {
    JobEpoch job = new JobEpoch("swap", 1);
    TestProbe<CoordinatorCommand> coord = KIT.createTestProbe();
    ActorRef<StageCommand> stage = spawnStage(0, 1, 2);
    stage.tell(new LoadProgram(job, StageProgram.parse("0: 0F0 0LOSS0 0F1 0LOSS1 0B0 0B1 0W0 0W1 0STEP"), 2,
        List.of(0), 64, List.of(stage), coord.ref(), OptimizerOptions.none(), ModelSpec.none()));
    coord.expectMessage(new ProgramLoaded(job, 0));
    stage.tell(new RunIteration(job, 0));
    coord.expectMessageClass(IterationReport.class);

    stage.tell(new SwapProgram(job, StageProgram.parse("1: 1F0 1LOSS0 1BW0 1F1 1LOSS1 1BW1 1STEP")));
    assertThat(coord.expectMessageClass(CommandRejected.class).reason()).isEqualTo("SwapProgram: program of stage 1 "
        + "on chunks [1]; loaded stage 0 on chunks [0]");
    stage.tell(new SwapProgram(job, StageProgram.parse("0: 0F0 0LOSS0 0B0 0F1 0LOSS1 0B1 0W0 0W1 0STEP")));
    coord.expectMessage(new ProgramSwapped(job, 0));
    stage.tell(new RunIteration(job, 1));
    IterationReport second = coord.expectMessageClass(IterationReport.class);
    stage.tell(new FetchParameters(job));
    ShardDigest digest = coord.expectMessageClass(ShardDigest.class);

    assertThat(second.passes()).extracting(PassRecord::op).containsExactly(ProgramOp.F, ProgramOp.B, ProgramOp.F,
        ProgramOp.B, ProgramOp.W, ProgramOp.W);
    ArithmeticChunkRunner twin = new ArithmeticChunkRunner(0, 1, 2, SEED);
    for (int it = 0; it < 2; it++) { // the same arithmetic in either order: one step per iteration
      for (int mb = 0; mb < 2; mb++) {
        twin.forward(it, mb, null);
        twin.loss(mb);
      }
      for (int mb = 0; mb < 2; mb++) {
        twin.backwardInput(mb, null);
      }
      for (int mb = 0; mb < 2; mb++) {
        twin.backwardWeight(mb);
      }
      twin.step(it);
    }
    assertThat(digest.chunkTensorSha256()).containsExactly(Map.entry(0, ParameterSha256.tensors(twin.parameters())));
  }

  @Test
  void answersAFetchWithTheDigestOfItsOwnShard() {
    JobEpoch job = new JobEpoch("params", 1);
    TestProbe<CoordinatorCommand> coord = KIT.createTestProbe();
    ActorRef<StageCommand> stage = spawnStage(0, 1, 1);
    stage.tell(new LoadProgram(job, StageProgram.parse("0: 0F0 0LOSS0 0BW0 0STEP"), 1, List.of(0), 32,
        List.of(stage), coord.ref(), OptimizerOptions.none(), ModelSpec.none()));
    coord.expectMessage(new ProgramLoaded(job, 0));

    stage.tell(new FetchParameters(job));

    ShardDigest d = coord.expectMessageClass(ShardDigest.class);
    List<float[]> expected = new ArithmeticChunkRunner(0, 1, 1, SEED).parameters();
    assertThat(d.chunkTensorSha256()).containsExactly(Map.entry(0, ParameterSha256.tensors(expected)));
    assertThat(d.chunkTensorSha256().get(0)).hasSize(2 * 64); // W and b
  }

  @Test
  void reportsAFailureWithItsWholeProgramAndTheFailingOpMarked() {
    JobEpoch job = new JobEpoch("boom", 1);
    TestProbe<CoordinatorCommand> coord = KIT.createTestProbe();
    ActorRef<StageCommand> stage = KIT.spawn(StageActor.create((load, c) -> failingForward(
        new ArithmeticChunkRunner(c, 1, 2, SEED), 1)));
    StageProgram program = StageProgram.parse("0: 0F0 0LOSS0 0F1 0LOSS1 0BW0 0BW1 0STEP");
    stage.tell(new LoadProgram(job, program, 2, List.of(0), 64, List.of(stage), coord.ref(),
        OptimizerOptions.none(), ModelSpec.none()));
    coord.expectMessage(new ProgramLoaded(job, 0));

    stage.tell(new RunIteration(job, 0));

    StageFailed failed = coord.expectMessageClass(StageFailed.class);
    assertThat(failed.message()).isEqualTo("iteration 0 op 0F1 threw java.lang.IllegalStateException: boom");
    assertThat(failed.program()).isEqualTo(program.listing(2)).contains("    2  0F1  <-- failed");
    stage.tell(new RunIteration(job, 1));
    assertThat(coord.expectMessageClass(CommandRejected.class).reason()).contains("paused after a failure");
  }

  /** A runner whose forward of {@code microbatch} throws. */
  private static io.zbpp.gpu.pipeline.ChunkRunner failingForward(io.zbpp.gpu.pipeline.ChunkRunner inner,
      int microbatch) {
    return (io.zbpp.gpu.pipeline.ChunkRunner) java.lang.reflect.Proxy.newProxyInstance(
        StageActorTest.class.getClassLoader(), new Class<?>[] {io.zbpp.gpu.pipeline.ChunkRunner.class},
        (proxy, method, args) -> {
          if (method.getName().equals("forward") && (int) args[1] == microbatch) {
            throw new IllegalStateException("boom");
          }
          try {
            return method.invoke(inner, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
