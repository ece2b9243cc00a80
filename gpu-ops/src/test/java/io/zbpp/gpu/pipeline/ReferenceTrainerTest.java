package io.zbpp.gpu.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.device.Backend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tiny model on the CPU backend: it learns, and its bits do not depend on runs or partitioning. */
class ReferenceTrainerTest {
  private static final int M = 4;
  private static final int B = 2;

  private static RunnerSpec tiny(int chunks) {
    return RunnerSpec.of("tiny", Backend.CPU, 42, M, B, chunks);
  }

  private static String train(RunnerSpec spec, int iterations) {
    try (ReferenceTrainer t = new ReferenceTrainer(spec)) {
      t.run(iterations);
      return t.parameterSha256();
    }
  }

  @Test
  void tinyModelLossFalls() {
    try (ReferenceTrainer t = new ReferenceTrainer(tiny(1))) {
      double[] mean = t.run(12);
      assertThat(mean[0]).isBetween(5.0, 6.0); // ≈ ln 256 at init
      assertThat(mean[11]).isLessThan(mean[0] - 1.0);
      assertThat(t.losses()).hasSize(12);
    }
  }

  @Test
  void sameRunTwiceGivesBitIdenticalParameters() {
    assertThat(train(tiny(2), 2)).isEqualTo(train(tiny(2), 2));
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 4, 8})
  void splittingIntoChunksChangesNoBit(int chunks) {
    String one = train(tiny(1), 2);
    assertThat(train(tiny(chunks), 2)).isEqualTo(one);
  }

  /**
   * Every JVM computes with one OpenBLAS thread unless OPENBLAS_NUM_THREADS says otherwise, whatever its cores:
   * another thread count may change bits (it does on an AMD EPYC with OpenBLAS's Zen kernels), so workers of
   * different sizes must not choose their own.
   */
  @Test
  void oneBlasThreadByDefaultWhateverTheCores() {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv(io.zbpp.gpu.cpu.CpuGemm.THREADS_ENV) == null,
        "OPENBLAS_NUM_THREADS is set here");
    assertThat(io.zbpp.gpu.cpu.CpuGemm.threads()).isEqualTo(1);
  }

  @Test
  void unevenPartitionChangesNoBit() {
    assertThat(train(tiny(3).withPartition(List.of(1, 4, 3)), 2)).isEqualTo(train(tiny(1), 2));
  }

  @Test
  void freshModelsStartIdenticalWhateverTheSplit() {
    assertThat(train(tiny(4), 0)).isEqualTo(train(tiny(1), 0));
  }

  /**
   * A pipeline-like order on 4 chunks — all F, then every B with W deferred, then W in microbatch order —
   * matches the single-chunk reference bit for bit, losses included.
   */
  @Test
  void deferredWeightPassesInMicrobatchOrderMatchTheReference() {
    RunnerSpec spec = tiny(4);
    List<ChunkRunner> chunks = ChunkRunnerFactory.createAll(spec);
    List<Double> losses = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      HostTensor[] acts = new HostTensor[M];
      for (int j = 0; j < M; j++) {
        for (ChunkRunner c : chunks) {
          acts[j] = c.forward(k, j, acts[j]);
        }
        losses.add(chunks.get(3).loss(j));
      }
      for (int c = 3; c >= 0; c--) {
        for (int j = 0; j < M; j++) {
          acts[j] = chunks.get(c).backwardInput(j, acts[j]);
        }
        for (int j = 0; j < M; j++) {
          chunks.get(c).backwardWeight(j);
        }
      }
      for (ChunkRunner c : chunks) {
        c.step(k);
      }
    }
    List<float[]> params = new ArrayList<>();
    chunks.forEach(c -> params.addAll(c.parameters()));
    try (ReferenceTrainer ref = new ReferenceTrainer(tiny(1))) {
      ref.run(2);
      assertThat(ReferenceTrainer.sha256(params)).isEqualTo(ref.parameterSha256());
      List<Double> refLosses = new ArrayList<>();
      ref.losses().forEach(l -> java.util.Arrays.stream(l).forEach(refLosses::add));
      assertThat(losses).isEqualTo(refLosses);
    }
    chunks.forEach(ChunkRunner::close);
  }
}
