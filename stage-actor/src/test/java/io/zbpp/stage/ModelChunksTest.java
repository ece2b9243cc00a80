package io.zbpp.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.EmulatedCosts;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.ModelSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stage host's side of the model: a ModelSpec read back into the gpu-ops spec it was made from. */
class ModelChunksTest {
  @Test
  void aModelSpecReadsBackAsTheRunnerSpecItDescribes() {
    RunnerSpec runner = RunnerSpec.of("tiny", Backend.CPU, 7, 3, 2, 4);
    ModelSpec spec = ModelChunks.specOf(runner);

    assertThat(spec.preset()).isEqualTo("tiny");
    assertThat(new ModelChunks(0).runnerSpec(spec, 3, List.of(0, 1, 2, 3), 4)).isEqualTo(runner);
  }

  @Test
  void chunksOpenTheDeviceTheirStageWasPlacedOn() throws Exception {
    List<String> opened = new java.util.ArrayList<>();
    ModelChunks onThree = new ModelChunks(0, 3, (backend, index) -> {
      opened.add(backend + " " + index);
      return new io.zbpp.gpu.cpu.CpuDevice();
    });

    try (var r = onThree.runner(RunnerSpec.of("tiny", Backend.CUDA, 1, 2, 1, 2), 1)) {
      assertThat(opened).containsExactly("cuda 3");
    }
  }

  @Test
  void emulatedChunksSleepTheirStagesTimeOverVLessTheOvershootAndHoldThePresetsMemory() {
    RunnerSpec base = RunnerSpec.of("tiny", Backend.EMULATED, 1, 4, 2, 4);
    ModelSpec model = ModelChunks.specOf(base).withEmulatedTimes(List.of(4.0, 8.0), List.of(6.0, 6.0),
        List.of(2.0, 3.0));

    // V shape on 2 stages: chunks 0 and 3 on stage 0, chunks 1 and 2 on stage 1; each pass takes T/2
    EmulatedCosts c = new ModelChunks(100_000).runnerSpec(model, 4, List.of(0, 1, 1, 0), 2).emulated();

    assertThat(c.forward()).containsExactly(ms(1.9), ms(3.9), ms(3.9), ms(1.9));
    assertThat(c.backwardInput()).containsExactly(ms(2.9), ms(2.9), ms(2.9), ms(2.9));
    assertThat(c.backwardWeight()).containsExactly(ms(0.9), ms(1.4), ms(1.4), ms(0.9));
    assertThat(c.activationBytes()).isEqualTo(base.emulated().activationBytes());
    assertThat(c.activationBytes().get(0)).isEqualTo(2 * GptConfig.preset("tiny").paperActivationBytes(2));
  }

  private static Duration ms(double ms) {
    return Duration.ofNanos(Math.round(ms * 1e6));
  }
}
