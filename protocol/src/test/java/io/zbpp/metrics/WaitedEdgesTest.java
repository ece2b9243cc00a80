package io.zbpp.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.metrics.WaitedEdges.Pass;
import java.util.List;
import org.junit.jupiter.api.Test;

class WaitedEdgesTest {
  @Test
  void countsOnlyCrossStageInputsTheConsumerWaitedFor() {
    // two stages, one chunk each, two microbatches, 1F1B-like order
    List<Pass> passes = List.of(
        new Pass(0, "F", 0, 0, 0, 10), new Pass(0, "F", 0, 1, 10, 20),
        new Pass(1, "F", 1, 0, 12, 22), new Pass(1, "B", 1, 0, 22, 32), new Pass(1, "F", 1, 1, 32, 42),
        new Pass(0, "B", 0, 0, 35, 45),          // waited for B(1, 0), which ended at 32: 3 units
        new Pass(1, "BW", 1, 1, 42, 52),
        new Pass(0, "B", 0, 1, 53, 63),          // waited for BW(1, 1), which ended at 52: 1 unit
        new Pass(0, "W", 0, 0, 63, 70));
    assertThat(WaitedEdges.of(passes, 2)).extracting(WaitedEdges.Edge::latency).containsExactlyInAnyOrder(3.0, 1.0);
  }

  @Test
  void aFirstPassAndAnInputThatArrivedEarlyAreNotCounted() {
    // F(1, 0) is stage 1's first pass (no earlier pass to wait after); F(1, 1)'s input ended before F(1, 0) did
    List<Pass> passes = List.of(new Pass(0, "F", 0, 0, 0, 10), new Pass(0, "F", 0, 1, 10, 20),
        new Pass(1, "F", 1, 0, 11, 25), new Pass(1, "F", 1, 1, 25, 35));
    assertThat(WaitedEdges.of(passes, 2)).isEmpty();
  }
}
