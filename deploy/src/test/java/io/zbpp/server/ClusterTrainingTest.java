package io.zbpp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.ReferenceTrainer;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.JobStarted;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.runtime.ClusterTraining;
import io.zbpp.runtime.LocalTraining;
import io.zbpp.runtime.TrainReport;
import io.zbpp.runtime.TrainSpec;
import io.zbpp.stage.ModelChunks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A real job across a cluster of actor systems in one JVM (a coordinator, four one-device workers and a client,
 * all over Artery on 127.0.0.1, every message serialized): the tiny GPT on the cpu backend ends with the losses
 * and the parameter digest of the single-device reference trainer, bit for bit.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterTrainingTest {
  private static final String MODEL = "tiny";
  private static final long SEED = 3;
  private static final int STAGES = 4;
  private static final int MICROBATCHES = 6;
  private static final int ITERATIONS = 2;
  private static final List<ClusterNode> NODES = new ArrayList<>();
  private static ClusterNode client;
  private static ActorRef<CoordinatorCommand> coordinator;

  @BeforeAll
  static void formCluster() {
    ClusterNode c = ClusterNode.start(TestNodes.settings(List.of(), Optional.empty()), Roles.COORDINATOR,
        Roles.coordinator(ClusterCoordinator.behavior(Duration.ofSeconds(10))), TestNodes.TEST);
    NODES.add(c);
    c.awaitUp(Duration.ofSeconds(30));
    for (int w = 0; w < STAGES; w++) {
      NODES.add(ClusterNode.start(TestNodes.settings(List.of(c.seed()), Optional.empty()), Roles.WORKER,
          Roles.worker(1, "cpu", WorkerStages.fromProgram()), TestNodes.TEST));
    }
    client = ClusterNode.start(TestNodes.settings(List.of(c.seed()), Optional.empty()), Roles.CLIENT, ctx -> { },
        TestNodes.TEST);
    NODES.add(client);
    NODES.forEach(n -> n.awaitUp(Duration.ofSeconds(30)));
    coordinator = Roles.singleton(client.system(), ClusterCoordinator.behavior(Duration.ofSeconds(10)));
  }

  @AfterAll
  static void stopCluster() {
    NODES.forEach(ClusterNode::close);
  }

  /** The single-device reference trainer's losses and digest on the same model, data and microbatches. */
  record Reference(List<Double> losses, String sha256) {}

  static final Reference REFERENCE = reference();

  private static Reference reference() {
    try (ReferenceTrainer ref = new ReferenceTrainer(RunnerSpec.of(MODEL, Backend.CPU, SEED, MICROBATCHES, 1, 1))) {
      return new Reference(Arrays.stream(ref.run(ITERATIONS)).boxed().toList(), ref.parameterSha256());
    }
  }

  static TrainSpec spec(String schedule, int v) {
    return spec(schedule, v, STAGES);
  }

  /** The job on {@code stages} stages (its losses and digest are still {@link #REFERENCE}'s). */
  static TrainSpec spec(String schedule, int v, int stages) {
    GptConfig c = GptConfig.preset(MODEL);
    RunnerSpec runner = RunnerSpec.of(MODEL, Backend.CPU, SEED, MICROBATCHES, 1, stages * v);
    return TrainSpec.builder(schedule, stages, MICROBATCHES).chunksPerStage(v).iterations(ITERATIONS)
        .availableChunks(c.layers()).model(new ModelShape(c.layers(), c.hidden(), c.heads(), c.seqLen(), 1))
        .serializeMessages(true).modelSpec(ModelChunks.specOf(runner)).build();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"1f1b, 1", "zb-2p, 1", "zb-v, 2"})
  void aJobAcrossWorkersTrainsBitForBitLikeOneDevice(String schedule, int v) {
    List<JobStarted> started = new CopyOnWriteArrayList<>();
    TrainReport r = ClusterTraining.train(client.system(), coordinator, spec(schedule, v), new LocalTraining.Listener() {
      @Override
      public void started(JobStarted s) {
        started.add(s);
      }
    });

    assertThat(r.losses()).isEqualTo(REFERENCE.losses());
    assertThat(r.paramsSha256()).isEqualTo(REFERENCE.sha256());
    List<String> workers = NODES.subList(1, 1 + STAGES).stream().map(ClusterNode::address).toList();
    assertThat(started).hasSize(1);
    assertThat(started.get(0).placement()).hasSize(STAGES)
        .allSatisfy(line -> assertThat(workers).anySatisfy(w -> assertThat(line).isEqualTo(w + " device 0")));
    assertThat(started.get(0).placement().stream().distinct()).hasSize(STAGES);
  }

  @Test
  void aJobNeedingMoreDevicesThanTheWorkersHoldFailsNamingBoth() {
    GptConfig c = GptConfig.preset(MODEL);
    RunnerSpec runner = RunnerSpec.of(MODEL, Backend.CPU, SEED, MICROBATCHES, 1, 6);
    TrainSpec six = TrainSpec.builder("1f1b", 6, MICROBATCHES).iterations(1).availableChunks(c.layers())
        .model(new ModelShape(c.layers(), c.hidden(), c.heads(), c.seqLen(), 1)).serializeMessages(true)
        .modelSpec(ModelChunks.specOf(runner)).build();
    ActorRef<CoordinatorCommand> quick = coordinator;
    assertThatThrownBy(() -> ClusterTraining.train(client.system(), quick, six, new LocalTraining.Listener() { }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needed 6 devices for 6 stages, found 4 free on 4 workers within 10 s");
  }
}
