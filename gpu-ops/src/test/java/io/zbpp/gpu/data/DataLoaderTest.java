package io.zbpp.gpu.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DataLoaderTest {
  private final DataLoader loader = new DataLoader(Corpus.bundled(), 3, 16, 4, 9);

  @Test
  void microbatchOfAnIterationIsAlwaysTheSame() {
    DataLoader.Batch a = loader.batch(5, 2);
    loader.batch(0, 0);
    DataLoader.Batch b = new DataLoader(Corpus.bundled(), 3, 16, 4, 9).batch(5, 2);
    assertThat(a.inputs()).isEqualTo(b.inputs());
    assertThat(a.targets()).isEqualTo(b.targets());
    assertThat(loader.batch(5, 3).inputs()).isNotEqualTo(a.inputs());
  }

  @Test
  void targetsAreInputsShiftedByOneByteLevelTokens() {
    DataLoader.Batch a = loader.batch(1, 1);
    for (int row = 0; row < 3; row++) {
      for (int t = 0; t + 1 < 16; t++) {
        assertThat(a.targets()[row * 16 + t]).isEqualTo(a.inputs()[row * 16 + t + 1]);
      }
    }
    for (float tok : a.inputs()) {
      assertThat(tok).isBetween(0f, 255f);
    }
  }

  @Test
  void bundledCorpusIsThereAndSizeable() {
    assertThat(Corpus.bundled().length()).isGreaterThan(100_000);
  }
}
