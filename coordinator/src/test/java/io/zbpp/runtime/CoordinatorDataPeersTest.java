package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.DataEndpoint;
import io.zbpp.protocol.msg.DataPeers;
import io.zbpp.protocol.msg.JobFailed;
import io.zbpp.protocol.msg.JobOutcome;
import io.zbpp.protocol.msg.LoadProgram;
import io.zbpp.protocol.msg.ProgramLoaded;
import io.zbpp.protocol.msg.RunIteration;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.SubmitJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The coordinator passes the stages' data endpoints on before the first iteration (serialize-messages on). */
class CoordinatorDataPeersTest {
  private static final ActorTestKit KIT = ActorTestKit.create(
      ConfigFactory.parseString("pekko.actor.serialize-messages = on").withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  /** Answers LoadProgram with {@code data} and hands every message to {@code seen}. */
  private static Behavior<StageCommand> stage(int stage, Optional<DataEndpoint> data, ActorRef<StageCommand> seen) {
    return Behaviors.receive(StageCommand.class).onMessage(StageCommand.class, m -> {
      if (m instanceof LoadProgram l) {
        l.coordinator().tell(new ProgramLoaded(l.job(), stage, data));
      }
      seen.tell(m);
      return Behaviors.same();
    }).build();
  }

  private static ActorRef<CoordinatorCommand> coordinator(List<Optional<DataEndpoint>> data,
      List<TestProbe<StageCommand>> probes) {
    data.forEach(d -> probes.add(KIT.createTestProbe()));
    return KIT.spawn(Coordinator.create(TestProvisioners.of((ctx, r) -> {
      List<ActorRef<StageCommand>> refs = new ArrayList<>();
      for (int s = 0; s < r.stages(); s++) {
        refs.add(ctx.spawn(stage(s, data.get(s), probes.get(s).ref()), "stage-" + s));
      }
      return refs;
    })));
  }

  @Test
  void everyStageGetsAllEndpointsBeforeItsFirstIteration() {
    List<Optional<DataEndpoint>> data = List.of(Optional.of(new DataEndpoint("a", "127.0.0.1:1001")),
        Optional.of(new DataEndpoint("b", "127.0.0.1:1002")), Optional.of(new DataEndpoint("c", "127.0.0.1:1003")));
    List<TestProbe<StageCommand>> probes = new ArrayList<>();
    ActorRef<CoordinatorCommand> coord = coordinator(data, probes);

    coord.tell(new SubmitJob(CoordinatorTest.spec(3, 4, 1), KIT.<JobOutcome>createTestProbe().ref()));

    for (TestProbe<StageCommand> p : probes) {
      p.expectMessageClass(LoadProgram.class);
      DataPeers d = p.expectMessageClass(DataPeers.class);
      assertThat(d.stages()).containsExactly(data.get(0).get(), data.get(1).get(), data.get(2).get());
      assertThat(p.expectMessageClass(RunIteration.class).iteration()).isZero();
    }
  }

  @Test
  void aJobWhoseStagesDisagreeAboutDataPlanesFailsNamingThem() {
    List<TestProbe<StageCommand>> probes = new ArrayList<>();
    ActorRef<CoordinatorCommand> coord = coordinator(List.of(Optional.of(new DataEndpoint("a", "127.0.0.1:1001")),
        Optional.empty()), probes);
    TestProbe<JobOutcome> client = KIT.createTestProbe();

    coord.tell(new SubmitJob(CoordinatorTest.spec(2, 2, 1), client.ref()));

    JobFailed f = client.expectMessageClass(JobFailed.class);
    assertThat(f.message()).isEqualTo("stages [1] have no data plane while stages [0] have one; every stage needs "
        + "one or none");
  }
}
