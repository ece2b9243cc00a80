package io.zbpp.gpu.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The emulated backend's slowdown: a chunk's passes take longer from an iteration on, the others' never. */
class EmulatedCostsTest {
  private static final Duration MS10 = Duration.ofMillis(10);

  @Test
  void aSlowedChunkTakesFactorTimesLongerFromItsIterationOn() {
    EmulatedCosts c = EmulatedCosts.uniform(3, MS10, MS10, MS10, 1, 1).withSlowdown(1, 1.5, 4);

    assertThat(c.at(1, MS10, 3)).isEqualTo(MS10);
    assertThat(c.at(1, MS10, 4)).isEqualTo(Duration.ofMillis(15));
    assertThat(c.at(1, Duration.ofMillis(2), 100)).isEqualTo(Duration.ofMillis(3));
    assertThat(c.at(0, MS10, 100)).isEqualTo(MS10);
    assertThat(c.at(2, MS10, 100)).isEqualTo(MS10);
    assertThat(EmulatedCosts.uniform(1, MS10, MS10, MS10, 1, 1).at(0, MS10, Integer.MAX_VALUE - 1)).isEqualTo(MS10);
  }

  @Test
  void refusesAFactorThatIsNotPositive() {
    EmulatedCosts c = EmulatedCosts.uniform(2, MS10, MS10, MS10, 1, 1);
    assertThatThrownBy(() -> c.withSlowdown(0, 0, 1)).hasMessageContaining("factor [0.0]");
    assertThatThrownBy(() -> c.withSlowdown(0, Double.NaN, 1)).hasMessageContaining("factor [NaN]");
  }
}
