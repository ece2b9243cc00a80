package io.zbpp.gpu.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.gpu.cpu.CpuDevice;
import io.zbpp.gpu.nn.Param;
import java.util.List;
import org.junit.jupiter.api.Test;

class GptModelTest {
  private static final GptConfig TINY = GptConfig.preset("tiny");

  @Test
  void evenPartitionGivesTheRemainderToTheFirstChunks() {
    assertThat(GptModel.even(GptConfig.preset("1.5b"), 8).partition().blocks())
        .containsExactly(3, 3, 3, 3, 3, 3, 2, 2);
    assertThat(GptModel.even(TINY, 3).partition().first(2)).isEqualTo(6);
  }

  @Test
  void chunksHoldEmbeddingFirstAndHeadLastWithModelOrderNames() {
    GptModel m = GptModel.uneven(TINY, List.of(2, 6));
    try (CpuDevice d0 = new CpuDevice(); CpuDevice d1 = new CpuDevice()) {
      List<String> first = m.chunk(d0, 0, 1).params().stream().map(Param::name).toList();
      List<String> last = m.chunk(d1, 1, 1).params().stream().map(Param::name).toList();
      assertThat(first).startsWith("wte", "wpe", "h0.ln1.weight").endsWith("h1.mlp.proj.bias");
      assertThat(last).startsWith("h2.ln1.weight").endsWith("lnf.weight", "lnf.bias", "head.weight");
      long n0 = m.chunk(new CpuDevice(), 0, 1).params().stream().mapToLong(Param::size).sum();
      assertThat(n0).isEqualTo(m.chunkParams(0));
      assertThat(m.chunkParams(0) + m.chunkParams(1)).isEqualTo(TINY.totalParams());
    }
  }

  @Test
  void rejectsChunkOutOfRange() {
    assertThatThrownBy(() -> GptModel.even(TINY, 2).chunk(new CpuDevice(), 2, 1))
        .hasMessage("chunk [2]: must be in 0…1");
  }

  @Test
  void paperShapesArePresets() {
    GptConfig c = GptConfig.preset("28.3b");
    assertThat(List.of(c.layers(), c.heads(), c.hidden(), c.seqLen())).containsExactly(62, 48, 6144, 1024);
    assertThat(GptConfig.preset("1.5b").totalParams()).isBetween(1_500_000_000L, 1_650_000_000L);
  }
}
