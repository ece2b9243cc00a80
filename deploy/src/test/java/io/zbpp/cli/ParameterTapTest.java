package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.stage.ArithmeticChunkRunner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParameterTapTest {
  @Test
  void forwardsEveryCallAndKeepsEachChunksLastFetchedParametersInModelOrder() {
    ParameterTap tap = new ParameterTap(c -> new ArithmeticChunkRunner(c, 2, 1, 9));
    ChunkRunner second = tap.apply(1);
    ChunkRunner first = tap.apply(0);
    List<float[]> expected = new ArrayList<>();

    assertThat(first.chunk()).isZero();
    assertThat(second.chunk()).isEqualTo(1);
    expected.addAll(first.parameters());
    expected.addAll(second.parameters());

    assertThat(tap.parameters(2)).containsExactlyElementsOf(expected);
  }

  @Test
  void saysWhichChunkWasNeverFetched() {
    ParameterTap tap = new ParameterTap(c -> new ArithmeticChunkRunner(c, 2, 1, 9));
    tap.apply(0).parameters();
    tap.apply(1);

    assertThatThrownBy(() -> tap.parameters(2)).hasMessage("chunk 1: its parameters were never fetched");
  }
}
