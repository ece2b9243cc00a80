package io.zbpp.stage;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.zbpp.dataplane.DataPlaneConfig;
import io.zbpp.dataplane.InMemoryDataPlane;
import io.zbpp.gpu.pipeline.HostTensor;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.DataEndpoint;
import io.zbpp.protocol.msg.DataPeers;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.LoadProgram;
import io.zbpp.protocol.msg.LossRecord;
import io.zbpp.protocol.msg.ModelSpec;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.ProgramLoaded;
import io.zbpp.protocol.msg.RunIteration;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StageFailed;
import io.zbpp.protocol.msg.StageProgram;
import io.zbpp.protocol.msg.StopStage;
import io.zbpp.protocol.msg.TensorKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Two stage actors exchanging tensors over a data plane: same results as over Artery; a lost link is reported. */
class StageDataPlaneTest {
  private static final ActorTestKit KIT = ActorTestKit.create(
      ConfigFactory.parseString("pekko.actor.serialize-messages = on").withFallback(ConfigFactory.load()));
  private static final long SEED = 7;
  private static final List<StageProgram> PROGRAMS = List.of(
      StageProgram.parse("0: 0F0 0SEND_F0 0RECV_B0 0BW0 0STEP"),
      StageProgram.parse("1: 1RECV_F0 1F0 1LOSS0 1BW0 1SEND_B0 1STEP"));

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  private record Pair(List<ActorRef<StageCommand>> stages, TestProbe<CoordinatorCommand> coord, JobEpoch job) {}

  /** Loads the two-stage program; with planes, sends the DataPeers the coordinator would send. */
  private static Pair load(String name, Optional<DataPlaneFactory> planes) {
    JobEpoch job = new JobEpoch(name, 1);
    TestProbe<CoordinatorCommand> coord = KIT.createTestProbe();
    List<ActorRef<StageCommand>> stages = new ArrayList<>();
    for (int s = 0; s < 2; s++) {
      stages.add(KIT.spawn(StageActor.create((load, c) -> new ArithmeticChunkRunner(c, 2, 1, SEED), planes)));
    }
    for (int s = 0; s < 2; s++) {
      stages.get(s).tell(new LoadProgram(job, PROGRAMS.get(s), 1, List.of(0, 1), 8, stages, coord.ref(),
          OptimizerOptions.none(), ModelSpec.none()));
    }
    DataEndpoint[] endpoints = new DataEndpoint[2];
    for (int s = 0; s < 2; s++) {
      ProgramLoaded l = coord.expectMessageClass(ProgramLoaded.class);
      assertThat(l.data().isPresent()).isEqualTo(planes.isPresent());
      l.data().ifPresent(d -> endpoints[l.stage()] = d);
    }
    if (planes.isPresent()) {
      stages.forEach(st -> st.tell(new DataPeers(job, List.of(endpoints))));
    }
    return new Pair(stages, coord, job);
  }

  /** Runs iterations 0 and 1; returns the losses the last stage reported. */
  private static List<Double> run(Pair p) {
    List<Double> losses = new ArrayList<>();
    for (int it = 0; it < 2; it++) {
      for (ActorRef<StageCommand> s : p.stages) {
        s.tell(new RunIteration(p.job, it));
      }
      for (int s = 0; s < 2; s++) {
        IterationReport r = p.coord.expectMessageClass(IterationReport.class);
        r.losses().stream().map(LossRecord::loss).forEach(losses::add);
      }
    }
    return losses;
  }

  @Test
  void tensorsOverNettyAndInMemoryPlanesGiveTheLossesOfArtery() {
    List<Double> artery = run(load("artery", Optional.empty()));
    List<Double> memory = run(load("memory", Optional.of(DataPlaneFactory.inMemory(new InMemoryDataPlane.Network()))));
    Pair netty = load("netty", Optional.of(DataPlaneFactory.netty(DataPlaneConfig.plain(), "127.0.0.1")));
    List<Double> overNetty = run(netty);

    assertThat(artery).hasSize(2);
    assertThat(memory).isEqualTo(artery);
    assertThat(overNetty).isEqualTo(artery);
    netty.stages.forEach(s -> s.tell(new StopStage(netty.job)));
  }

  @Test
  void aTensorOfAStaleEpochIsDroppedAndTheCurrentOneIsUsed() {
    JobEpoch current = new JobEpoch("stale-tensor", 2);
    TestProbe<StageCommand> stage0 = KIT.createTestProbe();
    TestProbe<CoordinatorCommand> coord = KIT.createTestProbe();
    ActorRef<StageCommand> stage1 = KIT.spawn(StageActor.create((load, c) -> new ArithmeticChunkRunner(c, 2, 1,
        SEED)));
    stage1.tell(new LoadProgram(current, PROGRAMS.get(1), 1, List.of(0, 1), 64, List.of(stage0.ref(), stage1),
        coord.ref(), OptimizerOptions.none(), ModelSpec.none()));
    coord.expectMessageClass(ProgramLoaded.class);
    TensorKey key = TensorKey.activation(0, 0, 1);
    float[] input = {0.5f, -1f, 0.25f, 2f};

    stage1.tell(new StageLinks.TensorReceived(new JobEpoch("stale-tensor", 1), key,
        new HostTensor(new int[] {4}, new float[] {9f, 9f, 9f, 9f})));
    stage1.tell(new RunIteration(current, 0));
    coord.expectNoMessage(java.time.Duration.ofMillis(200)); // waits: the stale tensor does not feed its RECV
    stage1.tell(new StageLinks.TensorReceived(current, key, new HostTensor(new int[] {4}, input)));

    IterationReport r = coord.expectMessageClass(IterationReport.class);
    ArithmeticChunkRunner twin = new ArithmeticChunkRunner(1, 2, 1, SEED);
    twin.forward(0, 0, new HostTensor(new int[] {4}, input));
    assertThat(r.losses()).singleElement().satisfies(l -> assertThat(l.loss()).isEqualTo(twin.loss(0)));
  }

  @Test
  void aLostLinkBecomesAStageFailedNamingThePeerStage() {
    Pair p = load("lost", Optional.of(DataPlaneFactory.netty(DataPlaneConfig.plain(), "127.0.0.1")));
    run(p); // the link is up and in use

    p.stages.get(1).tell(new StopStage(p.job)); // its plane closes with it

    StageFailed f = p.coord.expectMessageClass(StageFailed.class);
    assertThat(f.job()).isEqualTo(p.job);
    assertThat(f.stage()).isZero();
    assertThat(f.message()).startsWith("data link to stage 1 lost: ").contains("127.0.0.1");
    p.stages.get(0).tell(new StopStage(p.job));
  }
}
