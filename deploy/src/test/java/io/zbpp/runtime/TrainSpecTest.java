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
}
