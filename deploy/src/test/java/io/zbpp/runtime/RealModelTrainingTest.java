package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.ChunkRunnerFactory;
import io.zbpp.gpu.pipeline.ReferenceTrainer;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.schedule.Schedules;
import java.util.ArrayList;
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
 * Synchronous semantics on the real model (docs/design.md "Contracts"; issue 5): for every registered schedule and
 * several (p, m), m < p included, the tiny GPT trained through the actor runtime on the cpu backend — every
 * message serialized, activations split into several frames — ends with the losses and the parameter digest
 * of the single-device {@link ReferenceTrainer}, bit for bit.
 */
class RealModelTrainingTest {
  private static final String MODEL = "tiny";
  private static final long SEED = 3;
  private static final int ITERATIONS = 2;
  private static final int MICROBATCH_SIZE = 1;
  private static final int[][] SHAPES = {{2, 1}, {4, 3}, {3, 4}, {4, 6}};
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

  /** Every schedule on every shape it must accept; p·v stays within the tiny model's 8 layers. */
  static Stream<Arguments> everyScheduleAndShape() {
    return io.zbpp.schedule.ScheduleShapes.everyScheduleAnd(SHAPES);
  }

  @ParameterizedTest(name = "{0} p={1} m={2}")
  @MethodSource("everyScheduleAndShape")
  void everyScheduleTrainsTheRealModelBitForBitLikeOneDevice(String schedule, int p, int m) {
    int v = io.zbpp.schedule.ScheduleShapes.chunksPerStage(schedule);
    GptConfig c = GptConfig.preset(MODEL);
    TrainSpec spec = TrainSpec.builder(schedule, p, m).chunksPerStage(v).iterations(ITERATIONS)
        .availableChunks(c.layers()).model(new ModelShape(c.layers(), c.hidden(), c.heads(), c.seqLen(),
            MICROBATCH_SIZE)).frameBytes(1024).serializeMessages(true).dataPlane(DataPlaneKind.ARTERY).build();
    LocalTraining.validate(spec);
    RunnerSpec runner = RunnerSpec.of(MODEL, Backend.CPU, SEED, m, MICROBATCH_SIZE, p * v);

    TrainReport r = training.train(spec, chunk -> ChunkRunnerFactory.create(runner, chunk));

    Reference ref = REFERENCE.computeIfAbsent(m, RealModelTrainingTest::reference);
    assertThat(r.losses()).isEqualTo(ref.losses());
    assertThat(r.paramsSha256()).isEqualTo(ref.sha256());
  }

  private static Reference reference(int m) {
    try (ReferenceTrainer t = new ReferenceTrainer(RunnerSpec.of(MODEL, Backend.CPU, SEED, m, MICROBATCH_SIZE, 1))) {
      List<Double> losses = Arrays.stream(t.run(ITERATIONS)).boxed().toList();
      return new Reference(losses, t.parameterSha256());
    }
  }
}
