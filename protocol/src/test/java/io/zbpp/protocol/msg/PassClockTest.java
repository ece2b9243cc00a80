package io.zbpp.protocol.msg;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PassClockTest {
  @Test
  void putsNanoTimeOnTheWallClock() {
    long wall = Instant.now().toEpochMilli();
    long pass = PassClock.of(System.nanoTime()) / 1_000_000;
    // generous: a loaded machine may deschedule this thread between the two reads
    assertThat(pass - wall).isBetween(-1_000L, 5_000L);
  }

  @Test
  void keepsDifferencesOfNanoTime() {
    assertThat(PassClock.of(1_234_567L) - PassClock.of(1_000_000L)).isEqualTo(234_567L);
  }
}
