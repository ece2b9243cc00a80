package io.zbpp.gpu.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.device.Backend;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PassProfileTest {
  @Test
  void memoryDeltasOfAPassTripleCancelOut() {
    List<PassProfile> p = PassProfile.measure(RunnerSpec.of("tiny", Backend.CPU, 1, 2, 2, 2), 1);
    assertThat(p).hasSize(2);
    for (PassProfile c : p) {
      assertThat(c.deltaF()).isPositive();
      assertThat(c.deltaF() + c.deltaB() + c.deltaW()).isZero();
      assertThat(c.nanosF()).isPositive();
    }
  }

  @Test
  void emulatedBackendReportsItsConfiguredModel() {
    RunnerSpec spec = RunnerSpec.of("tiny", Backend.EMULATED, 1, 2, 2, 2)
        .withEmulated(EmulatedCosts.uniform(2, Duration.ofMillis(3), Duration.ofMillis(2), Duration.ofMillis(1),
            500, 200));
    for (PassProfile c : PassProfile.measure(spec, 1)) {
      assertThat(List.of(c.deltaF(), c.deltaB(), c.deltaW())).containsExactly(500L, -300L, -200L);
      assertThat(c.nanosF()).isGreaterThanOrEqualTo(3_000_000L);
      assertThat(c.nanosW()).isGreaterThanOrEqualTo(1_000_000L);
    }
  }
}
