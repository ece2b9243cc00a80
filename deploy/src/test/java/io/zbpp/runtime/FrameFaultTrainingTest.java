package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.dataplane.DataPlane;
import io.zbpp.dataplane.DataPlaneConfig;
import io.zbpp.dataplane.FrameCounts;
import io.zbpp.dataplane.FrameFault;
import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.ChunkRunnerFactory;
import io.zbpp.gpu.pipeline.ReferenceTrainer;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.stage.DataPlaneFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Message integrity end to end (docs/faults.md "Message integrity"): the tiny GPT trains over Netty data planes
 * on 127.0.0.1 in one JVM, every control message serialized, with one frame fault injected into what the middle
 * stage sends; the job ends with the losses and parameter digest of the fault-free single-device run, bit for
 * bit, and the planes' counters show the fault injected and what it took to repair.
 */
class FrameFaultTrainingTest {
  private static final String MODEL = "tiny";
  private static final long SEED = 11;
  private static final int ITERATIONS = 2;
  private static final int STAGES = 4;
  private static final int MICROBATCHES = 4;
  private static LocalTraining training;
  private static List<Double> losses;
  private static String sha256;

  @BeforeAll
  static void start() {
    training = LocalTraining.open(true);
    try (ReferenceTrainer t = new ReferenceTrainer(RunnerSpec.of(MODEL, Backend.CPU, SEED, MICROBATCHES, 1, 1))) {
      losses = Arrays.stream(t.run(ITERATIONS)).boxed().toList();
      sha256 = t.parameterSha256();
    }
  }

  @AfterAll
  static void stop() {
    training.close();
  }

  static Stream<Arguments> faultsAndSchedules() {
    return Stream.of("1f1b", "zb-2p").flatMap(s -> Stream.of(FrameFault.Kind.values()).map(k -> Arguments.of(s, k)));
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("faultsAndSchedules")
  void aFrameFaultChangesNothingInTheTraining(String schedule, FrameFault.Kind kind) {
    FrameFault fault = kind == FrameFault.Kind.DELAY ? new FrameFault(kind, 1, 1, 2, 300)
        : FrameFault.of(kind, 1, 1, 2);
    List<DataPlane> planes = new CopyOnWriteArrayList<>();
    DataPlaneFactory netty = DataPlaneFactory.netty(
        DataPlaneConfig.plain().withRetransmitTimeout(Duration.ofMillis(300)), "127.0.0.1");

    TrainReport r = training.train(spec(schedule), (load, c) -> ChunkRunnerFactory.create(runner(), c),
        new LocalTraining.Listener() { }, Optional.of(netty.withFrameFaults(List.of(fault)).recording(planes)));

    assertThat(r.losses()).isEqualTo(losses);
    assertThat(r.paramsSha256()).isEqualTo(sha256);
    FrameCounts counts = planes.stream().map(DataPlane::frameCounts).reduce(FrameCounts.ZERO, FrameCounts::plus);
    assertThat(counts.injected()).isEqualTo(1);
    switch (kind) {
      case CORRUPT -> assertThat(counts.corrupted()).isEqualTo(1);
      case DROP -> assertThat(counts.missing()).isPositive();
      case DUPLICATE -> assertThat(counts.duplicates()).isPositive();
      case DELAY, REORDER -> assertThat(counts.corrupted()).isZero();
    }
    if (kind == FrameFault.Kind.CORRUPT || kind == FrameFault.Kind.DROP) {
      assertThat(counts.retransmits()).isPositive();
    }
  }

  @Test
  void theJobsInjectReachesTheSendingStagesPlaneThroughLoadProgram() {
    List<DataPlane> planes = new CopyOnWriteArrayList<>();
    DataPlaneFactory netty = DataPlaneFactory.netty(
        DataPlaneConfig.plain().withRetransmitTimeout(Duration.ofMillis(300)), "127.0.0.1");
    FaultPolicy faults = FaultPolicy.defaults().withInject(io.zbpp.faults.Injection.parseAll(
        List.of("corrupt-frame:1@1.2", "duplicate-frame:2@0.1")));

    TrainReport r = training.train(spec("zb-2p"), faults, Optional.empty(),
        (load, c) -> ChunkRunnerFactory.create(runner(), c), new LocalTraining.Listener() { },
        Optional.of(netty.recording(planes)));

    assertThat(r.losses()).isEqualTo(losses);
    assertThat(r.paramsSha256()).isEqualTo(sha256);
    assertThat(r.recovery().faultsDetected()).isZero();
    FrameCounts counts = planes.stream().map(DataPlane::frameCounts).reduce(FrameCounts.ZERO, FrameCounts::plus);
    assertThat(counts.injected()).isEqualTo(2);
    assertThat(counts.corrupted()).isEqualTo(1);
    assertThat(counts.duplicates()).isPositive();
  }

  @Test
  void refusesFaultsATransportCannotInject() {
    FrameFault drop = FrameFault.of(FrameFault.Kind.DROP, 1, 0, 0);

    assertThatThrownBy(() -> DataPlaneKind.MEMORY.planesForJob(List.of(drop)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("drop-frame:1@0.0: the in-memory");
    assertThatThrownBy(() -> DataPlaneKind.ARTERY.planesForJob(List.of(drop)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("drop-frame:1@0.0: frame faults are injected on a"
            + " data plane; use --data-plane netty or memory");
    assertThat(DataPlaneKind.NETTY.planesForJob(List.of(drop)).orElseThrow().frameFaults()).containsExactly(drop);
  }

  private static TrainSpec spec(String schedule) {
    GptConfig c = GptConfig.preset(MODEL);
    return TrainSpec.builder(schedule, STAGES, MICROBATCHES).iterations(ITERATIONS).availableChunks(c.layers())
        .model(new ModelShape(c.layers(), c.hidden(), c.heads(), c.seqLen(), 1)).serializeMessages(true)
        .dataPlane(DataPlaneKind.NETTY).build();
  }

  private static RunnerSpec runner() {
    return RunnerSpec.of(MODEL, Backend.CPU, SEED, MICROBATCHES, 1, STAGES);
  }
}
