package io.zbpp.gpu.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.gpu.device.Backend;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The emulated backend: it takes its configured time, passes placeholders and follows its memory model. */
class EmulatedChunkRunnerTest {
  private static RunnerSpec spec() {
    return RunnerSpec.of("1.5b", Backend.EMULATED, 1, 2, 6, 2)
        .withEmulated(EmulatedCosts.uniform(2, Duration.ofMillis(30), Duration.ofMillis(20),
            Duration.ofMillis(10), 1000, 300));
  }

  @Test
  void passesTakeTheirConfiguredTimeAndReturnPlaceholders() {
    try (ChunkRunner first = ChunkRunnerFactory.create(spec(), 0);
        ChunkRunner last = ChunkRunnerFactory.create(spec(), 1)) {
      long t0 = System.nanoTime();
      HostTensor x = first.forward(0, 0, null);
      long tf = System.nanoTime() - t0;
      assertThat(x.shape()).containsExactly(1);
      assertThat(last.forward(0, 0, x)).isNull();
      HostTensor g = last.backwardInput(0, null);
      assertThat(g.shape()).containsExactly(1);
      t0 = System.nanoTime();
      assertThat(first.backwardInput(0, g)).isNull();
      long tb = System.nanoTime() - t0;
      t0 = System.nanoTime();
      first.backwardWeight(0);
      long tw = System.nanoTime() - t0;
      assertThat(tf).isGreaterThanOrEqualTo(Duration.ofMillis(30).toNanos());
      assertThat(tb).isGreaterThanOrEqualTo(Duration.ofMillis(20).toNanos());
      assertThat(tw).isGreaterThanOrEqualTo(Duration.ofMillis(10).toNanos());
      assertThat(first.parameters()).isEmpty();
    }
  }

  @Test
  void bytesHeldFollowsMbAndMw() {
    try (ChunkRunner c = ChunkRunnerFactory.create(spec(), 0)) {
      c.forward(0, 0, null);
      c.forward(0, 1, null);
      assertThat(c.bytesHeld()).isEqualTo(2000);
      c.backwardInput(0, new HostTensor(new int[] {1}, new float[1]));
      assertThat(c.bytesHeld()).isEqualTo(1300);
      c.backwardWeight(0);
      assertThat(c.bytesHeld()).isEqualTo(1000);
      assertThatThrownBy(() -> c.backwardWeight(1))
          .hasMessage("chunk 0 microbatch 1: backwardWeight out of order");
    }
  }

  @Test
  void defaultMemoryModelIsThePapersPerLayerFormula() {
    RunnerSpec s = RunnerSpec.of("1.5b", Backend.EMULATED, 1, 2, 6, 2);
    // 11 layers per chunk; M_B = s·b·(34h + 5a·s), M_W = 32·s·b·h (docs/design.md §2).
    assertThat(s.emulated().activationBytes().get(0)).isEqualTo(11L * 1024 * 6 * (34 * 2304 + 5 * 24 * 1024));
    assertThat(s.emulated().wStashBytes().get(0)).isEqualTo(11L * 32 * 1024 * 6 * 2304);
  }
}
