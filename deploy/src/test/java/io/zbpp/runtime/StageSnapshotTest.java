package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.zbpp.compile.Programs;
import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.pipeline.ReferenceTrainer;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.FetchParameters;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.ResolvedJob;
import io.zbpp.protocol.msg.LoadProgram;
import io.zbpp.protocol.msg.LossRecord;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.protocol.msg.ModelSpec;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.ProgramLoaded;
import io.zbpp.protocol.msg.RestoreStage;
import io.zbpp.protocol.msg.RunIteration;
import io.zbpp.protocol.msg.ShardDigest;
import io.zbpp.protocol.msg.SnapshotStage;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StageRestored;
import io.zbpp.protocol.msg.StageSnapshot;
import io.zbpp.protocol.msg.StopStage;
import io.zbpp.stage.ModelChunks;
import io.zbpp.stage.StageActor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Snapshot and restore through the protocol (serialize-messages on): stages that ran K iterations are
 * snapshotted, fresh stage actors restore the snapshots and run the remaining iterations, and the result — losses
 * and parameter digest — equals an uninterrupted run and the reference trainer, bit for bit (cpu backend).
 */
class StageSnapshotTest {
  private static final ActorTestKit KIT = ActorTestKit.create(ConfigFactory.parseString(
      "pekko.actor.serialize-messages = on").withFallback(ConfigFactory.load()));
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int P = 2;
  private static final int M = 3;
  private static final int N = 4;
  private static final int K = 2;
  private static final long SEED = 21;

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  /** Stage actors of one job incarnation, driven by hand as a coordinator would. */
  private record Stages(JobEpoch job, List<ActorRef<StageCommand>> refs, TestProbe<CoordinatorCommand> coord) {}

  private static Stages start(String id, Programs programs, ModelSpec model) {
    JobEpoch job = new JobEpoch(id, 1);
    TestProbe<CoordinatorCommand> coord = KIT.createTestProbe();
    List<ActorRef<StageCommand>> refs = new ArrayList<>();
    for (int s = 0; s < P; s++) {
      refs.add(KIT.spawn(StageActor.create()));
    }
    for (int s = 0; s < P; s++) {
      refs.get(s).tell(new LoadProgram(job, programs.stage(s), M, programs.placement().chunkStage(), 1024, refs,
          coord.ref(), OptimizerOptions.none(), model));
    }
    for (int s = 0; s < P; s++) {
      coord.expectMessageClass(ProgramLoaded.class, WAIT);
    }
    return new Stages(job, refs, coord);
  }

  /** Runs iteration {@code it} on every stage; its mean loss. */
  private static double iterate(Stages st, int it) {
    st.refs().forEach(s -> s.tell(new RunIteration(st.job(), it)));
    double sum = 0;
    int n = 0;
    for (int s = 0; s < P; s++) {
      for (LossRecord l : st.coord().expectMessageClass(IterationReport.class, WAIT).losses()) {
        sum += l.loss();
        n++;
      }
    }
    return sum / n;
  }

  private static String digest(Stages st, int chunks) {
    st.refs().forEach(s -> s.tell(new FetchParameters(st.job())));
    ParameterDigest d = new ParameterDigest(P, chunks);
    for (int s = 0; s < P; s++) {
      d.add(st.coord().expectMessageClass(ShardDigest.class, WAIT));
    }
    return d.sha256();
  }

  @Test
  void snapshotRestoreContinueEqualsAnUninterruptedRunBitForBit() {
    RunnerSpec runner = RunnerSpec.of("tiny", Backend.CPU, SEED, M, 1, P);
    ModelSpec model = ModelChunks.specOf(runner);
    ResolvedJob spec = new ResolvedJob("snap", "zb-h1", "", P, M, 1, N, List.of(), List.of(), List.of(), 0,
        new ModelShape(8, 32, 4, 16, 1), 0, 0, 1024, OptimizerOptions.none(), List.of(), List.of(), List.of(),
        model);
    Programs programs = JobPlanner.plan(spec).compiled().programs();

    Stages whole = start("whole", programs, model);
    List<Double> wholeLosses = new ArrayList<>();
    for (int it = 0; it < N; it++) {
      wholeLosses.add(iterate(whole, it));
    }
    String wholeDigest = digest(whole, P);

    Stages first = start("first", programs, model);
    for (int it = 0; it < K; it++) {
      iterate(first, it);
    }
    TestProbe<StageSnapshot> snapshots = KIT.createTestProbe();
    first.refs().forEach(s -> s.tell(new SnapshotStage(first.job(), snapshots.ref())));
    List<StageSnapshot> taken = List.of(snapshots.receiveMessage(WAIT), snapshots.receiveMessage(WAIT));
    first.refs().forEach(s -> s.tell(new StopStage(first.job())));

    Stages resumed = start("resumed", programs, model);
    TestProbe<StageRestored> restored = KIT.createTestProbe();
    for (StageSnapshot snap : taken) {
      assertThat(snap.chunks()).allSatisfy(c -> assertThat(c.steps()).isEqualTo(K));
      resumed.refs().get(snap.stage()).tell(new RestoreStage(resumed.job(), snap.chunks(), restored.ref()));
    }
    restored.receiveSeveralMessages(P, WAIT);
    List<Double> resumedLosses = new ArrayList<>();
    for (int it = K; it < N; it++) {
      resumedLosses.add(iterate(resumed, it));
    }

    assertThat(resumedLosses).isEqualTo(wholeLosses.subList(K, N));
    assertThat(digest(resumed, P)).isEqualTo(wholeDigest);
    try (ReferenceTrainer ref = new ReferenceTrainer(RunnerSpec.of("tiny", Backend.CPU, SEED, M, 1, 1))) {
      ref.run(N);
      assertThat(wholeDigest).isEqualTo(ref.parameterSha256());
    }
  }

  @Test
  void aFreshStageWithoutTheSnapshotDiffers() {
    RunnerSpec runner = RunnerSpec.of("tiny", Backend.CPU, SEED, M, 1, P);
    ModelSpec model = ModelChunks.specOf(runner);
    ResolvedJob spec = new ResolvedJob("fresh", "1f1b", "", P, M, 1, N, List.of(), List.of(), List.of(), 0,
        new ModelShape(8, 32, 4, 16, 1), 0, 0, 1024, OptimizerOptions.none(), List.of(), List.of(), List.of(),
        model);
    Programs programs = JobPlanner.plan(spec).compiled().programs();
    Stages whole = start("w2", programs, model);
    for (int it = 0; it < N; it++) {
      iterate(whole, it);
    }
    Stages skipped = start("s2", programs, model); // runs only the last iterations, from the initial parameters
    for (int it = K; it < N; it++) {
      iterate(skipped, it);
    }

    assertThat(digest(skipped, P)).isNotEqualTo(digest(whole, P));
  }
}
