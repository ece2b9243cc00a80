package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.ChunkRunnerFactory;
import io.zbpp.gpu.pipeline.ReferenceTrainer;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.ModelShape;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Activations and gradients over a tensor data plane instead of Artery (docs/transport.md "In the runtime"):
 * 1F1B, ZB-2p and ZB-V train the tiny GPT on the cpu backend with in-memory planes and with one Netty plane
 * per stage on 127.0.0.1 (plain TCP), every control message serialized, and end with the losses and the
 * parameter digest of the single-device {@link ReferenceTrainer}, bit for bit.
 */
class DataPlaneTrainingTest {
  private static final String MODEL = "tiny";
  private static final long SEED = 5;
  private static final int ITERATIONS = 2;
  private static final int STAGES = 4;
  private static final int MICROBATCHES = 6;
  private static final Map<Integer, Reference> REFERENCE = new HashMap<>();
  private static LocalTraining training;

  private record Reference(List<Double> losses, String sha256) {}

  @BeforeAll
  static void start() {
    training = LocalTraining.open(true);
  }

  @AfterAll
  static void stop() {
    training.close();
  }

  static Stream<Arguments> schedulesAndPlanes() {
    return Stream.of(DataPlaneKind.MEMORY, DataPlaneKind.NETTY).flatMap(k ->
        Stream.of("1f1b", "zb-2p", "zb-v").map(s -> Arguments.of(s, k)));
  }

  @ParameterizedTest(name = "{0} over {1}")
  @MethodSource("schedulesAndPlanes")
  void tensorsOverTheDataPlaneTrainBitForBitLikeOneDevice(String schedule, DataPlaneKind plane) {
    int v = io.zbpp.schedule.ScheduleShapes.chunksPerStage(schedule);
    GptConfig c = GptConfig.preset(MODEL);
    TrainSpec spec = TrainSpec.builder(schedule, STAGES, MICROBATCHES).chunksPerStage(v).iterations(ITERATIONS)
        .availableChunks(c.layers()).model(new ModelShape(c.layers(), c.hidden(), c.heads(), c.seqLen(), 1))
        .serializeMessages(true).dataPlane(plane).build();
    RunnerSpec runner = RunnerSpec.of(MODEL, Backend.CPU, SEED, MICROBATCHES, 1, STAGES * v);

    TrainReport r = training.train(spec, chunk -> ChunkRunnerFactory.create(runner, chunk));

    Reference ref = REFERENCE.computeIfAbsent(MICROBATCHES, m -> reference());
    assertThat(r.losses()).isEqualTo(ref.losses());
    assertThat(r.paramsSha256()).isEqualTo(ref.sha256());
  }

  private static Reference reference() {
    try (ReferenceTrainer t = new ReferenceTrainer(RunnerSpec.of(MODEL, Backend.CPU, SEED, MICROBATCHES, 1, 1))) {
      return new Reference(Arrays.stream(t.run(ITERATIONS)).boxed().toList(), t.parameterSha256());
    }
  }
}
