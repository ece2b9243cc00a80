package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.zbpp.protocol.msg.TensorFrames;
import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.EmulatedCosts;
import io.zbpp.gpu.pipeline.RunnerSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainSpecTest {
  @Test
  void takesTheFrameSizeFromTheConfigurationUnlessGiven() {
    TrainSpec unset = TrainSpec.builder("1f1b", 2, 2).build();

    assertThat(unset.withConfiguredFrameBytes(ConfigFactory.load()).frameBytes())
        .isEqualTo(TensorFrames.DEFAULT_FRAME_BYTES);
    assertThat(unset.withConfiguredFrameBytes(ConfigFactory.parseString("zbpp.protocol.max-frame-bytes = 64"))
        .frameBytes()).isEqualTo(64);
    assertThat(TrainSpec.builder("1f1b", 2, 2).frameBytes(12).build()
        .withConfiguredFrameBytes(ConfigFactory.load()).frameBytes()).isEqualTo(12);
  }

  @Test
  void carriesGivenMemoryDeltasToTheJobAndLeavesThemEmptyByDefault() {
    TrainSpec given = TrainSpec.builder("1f1b", 2, 2).memDeltas(List.of(3.0), List.of(), List.of(-1.0, -2.0))
        .build().withConfiguredFrameBytes(ConfigFactory.load());
    io.zbpp.protocol.msg.ResolvedJob job = given.toResolvedJob("j");

    assertThat(job.memF()).containsExactly(3.0);
    assertThat(job.memB()).isEmpty();
    assertThat(job.memW()).containsExactly(-1.0, -2.0);
    assertThat(TrainSpec.builder("1f1b", 2, 2).build().toResolvedJob("j").memF()).isEmpty();
  }

  @Test
  void emulatedChunksNeedPassTimes() {
    RunnerSpec base = RunnerSpec.of("tiny", Backend.EMULATED, 1, 2, 1, 2);
    assertThatThrownBy(() -> EmulatedBackend.model(base, List.of(), List.of(), List.of()))
        .hasMessage("--backend emulated: needs pass times (--cost-f, --cost-b, --cost-w)");
  }
}
