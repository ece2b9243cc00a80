package io.zbpp.protocol.msg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TensorFramesTest {
  private static final JobEpoch JOB = new JobEpoch("j", 1);

  private static float[] values(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) Math.sin(i) * 1e3f + Float.MIN_VALUE * i;
    }
    return v;
  }

  @ParameterizedTest
  @CsvSource({"0, 64, 1", "1, 64, 1", "16, 64, 1", "17, 64, 2", "100, 64, 7", "100, 6, 100", "100, 1000, 1"})
  void splitsIntoFramesOfAtMostTheBudgetAndJoinsBitExactly(int n, int frameBytes, int expectedParts) {
    float[] data = values(n);
    TensorKey key = TensorKey.activation(3, 2, 1);
    List<TensorFrame> frames = TensorFrames.split(JOB, key, new int[] {n}, data, frameBytes);

    assertThat(frames).hasSize(expectedParts);
    assertThat(frames).allSatisfy(f -> assertThat(f.data().size()).isLessThanOrEqualTo(frameBytes));
    TensorAssembler asm = new TensorAssembler();
    Optional<TensorAssembler.Tensor> out = Optional.empty();
    for (TensorFrame f : frames) {
      assertThat(out).isEmpty();
      out = asm.add(f);
    }
    assertThat(out).get().satisfies(t -> {
      assertThat(t.data()).isEqualTo(data);
      assertThat(t.shape()).containsExactly(n);
      assertThat(t.key()).isEqualTo(key);
    });
    assertThat(asm.pending()).isZero();
  }

  @Test
  void interleavedTensorsAssembleSeparately() {
    TensorAssembler asm = new TensorAssembler();
    List<TensorFrame> a = TensorFrames.split(JOB, TensorKey.activation(0, 0, 1), new int[] {2, 5}, values(10), 8);
    List<TensorFrame> b = TensorFrames.split(JOB, TensorKey.gradient(0, 0, 1), new int[] {10}, values(10), 8);
    for (int i = 0; i < a.size() - 1; i++) {
      assertThat(asm.add(a.get(i))).isEmpty();
      assertThat(asm.add(b.get(i))).isEmpty();
    }
    assertThat(asm.add(a.get(a.size() - 1))).get().extracting(TensorAssembler.Tensor::shape).isEqualTo(new int[] {2, 5});
    assertThat(asm.add(b.get(b.size() - 1))).isPresent();
  }

  @Test
  void rejectsAFrameThatSkipsAPart() {
    TensorAssembler asm = new TensorAssembler();
    List<TensorFrame> f = TensorFrames.split(JOB, TensorKey.activation(0, 0, 1), new int[] {10}, values(10), 8);
    asm.add(f.get(0));

    assertThatThrownBy(() -> asm.add(f.get(2))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected frame 1/5");
  }
}
