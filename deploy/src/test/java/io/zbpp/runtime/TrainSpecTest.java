package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.zbpp.protocol.msg.TensorFrames;
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
  void emulatedChunksNeedPassTimes() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SleepingChunkRunner.emulating(
        TrainSpec.builder("1f1b", 2, 2).build(), 4)).hasMessage(
            "--backend emulated: needs pass times (--cost-f, --cost-b, --cost-w)");
    assertThat(SleepingChunkRunner.emulating(TrainSpec.builder("1f1b", 2, 2)
        .costs(java.util.List.of(0.0), java.util.List.of(0.0), java.util.List.of(0.0), 0).build(), 4).apply(1)
        .chunk()).isEqualTo(1);
  }
}
