package io.zbpp.gpu.nn;

import static io.zbpp.gpu.nn.GradCheck.randn;
import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.cpu.CpuDevice;
import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.model.GptInit;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * B followed by W gives exactly (bit for bit) the gradients of a fused backward, for every layer with
 * parameters, with two microbatches interleaved the way a zero-bubble stage runs them: B0 B1 W0 W1.
 * (GELU and the attention core have no parameters: their B is their whole backward.)
 */
class SplitBackwardTest {
  private static final GptConfig CFG = new GptConfig("t", 2, 16, 2, 256, 6);

  @Test
  void linearSplitEqualsFused() {
    int N = 12, C = 16, OC = 24;
    Random r = new Random(1);
    float[] w = randn(r, OC * C, 0.3), b = randn(r, OC, 0.3);
    float[][] xs = {randn(r, N * C, 1), randn(r, N * C, 1)};
    float[][] dys = {randn(r, N * OC, 1), randn(r, N * OC, 1)};
    Device d1 = new CpuDevice(), d2 = new CpuDevice();
    Param w1 = Param.create(d1, "w", new int[] {OC, C}, true, w), b1 = Param.create(d1, "b", new int[] {OC}, false, b);
    Param w2 = Param.create(d2, "w", new int[] {OC, C}, true, w), b2 = Param.create(d2, "b", new int[] {OC}, false, b);
    Linear split = new Linear(d1, w1, b1, C, OC), fused = new Linear(d2, w2, b2, C, OC);
    float[][] dxSplit = new float[2][];
    for (int mb = 0; mb < 2; mb++) {
      dxSplit[mb] = d1.download(split.backwardInput(d1.upload(dys[mb]), N));
    }
    for (int mb = 0; mb < 2; mb++) {
      split.backwardWeight(d1.upload(dys[mb]), d1.upload(xs[mb]), N);
    }
    for (int mb = 0; mb < 2; mb++) {
      float[] dx = d2.download(fused.backward(d2.upload(dys[mb]), d2.upload(xs[mb]), N));
      assertThat(dx).isEqualTo(dxSplit[mb]);
    }
    assertThat(d1.download(w1.grad())).isEqualTo(d2.download(w2.grad()));
    assertThat(d1.download(b1.grad())).isEqualTo(d2.download(b2.grad()));
  }

  @Test
  void layerNormSplitEqualsFusedKernel() {
    int N = 10, C = 16;
    Random r = new Random(2);
    float[] w = randn(r, C, 1), b = randn(r, C, 1);
    Device d1 = new CpuDevice(), d2 = new CpuDevice();
    Param w1 = Param.create(d1, "w", new int[] {C}, false, w), b1 = Param.create(d1, "b", new int[] {C}, false, b);
    Param w2 = Param.create(d2, "w", new int[] {C}, false, w), b2 = Param.create(d2, "b", new int[] {C}, false, b);
    LayerNorm split = new LayerNorm(d1, w1, b1, C), fused = new LayerNorm(d2, w2, b2, C);
    float[][] xs = {randn(r, N * C, 1), randn(r, N * C, 1)};
    float[][] dys = {randn(r, N * C, 1), randn(r, N * C, 1)};
    Buf[] x1 = {d1.upload(xs[0]), d1.upload(xs[1])};
    LayerNorm.Out[] o1 = {split.forward(x1[0], N), split.forward(x1[1], N)};
    Buf[] dx1 = {d1.alloc(N * C), d1.alloc(N * C)};
    for (int mb = 0; mb < 2; mb++) {
      split.backwardInput(dx1[mb], d1.upload(dys[mb]), x1[mb], o1[mb], N);
    }
    for (int mb = 0; mb < 2; mb++) {
      split.backwardWeight(d1.upload(dys[mb]), x1[mb], o1[mb], N);
    }
    for (int mb = 0; mb < 2; mb++) {
      Buf x2 = d2.upload(xs[mb]);
      Buf dx2 = d2.alloc(N * C);
      fused.backward(dx2, d2.upload(dys[mb]), x2, fused.forward(x2, N), N);
      assertThat(d2.download(dx2)).isEqualTo(d1.download(dx1[mb]));
    }
    assertThat(d1.download(w1.grad())).isEqualTo(d2.download(w2.grad()));
    assertThat(d1.download(b1.grad())).isEqualTo(d2.download(b2.grad()));
  }

  @Test
  void gptBlockSplitEqualsFusedAndFreesEverything() {
    int B = 2, T = CFG.seqLen(), C = CFG.hidden();
    Random r = new Random(3);
    float[][] xs = {randn(r, B * T * C, 1), randn(r, B * T * C, 1)};
    float[][] dys = {randn(r, B * T * C, 1), randn(r, B * T * C, 1)};
    Device d1 = new CpuDevice(), d2 = new CpuDevice();
    List<Param> p1 = GptInit.block(d1, CFG, 5, 0), p2 = GptInit.block(d2, CFG, 5, 0);
    GptBlock split = new GptBlock(d1, p1, C, CFG.heads()), fused = new GptBlock(d2, p2, C, CFG.heads());
    long base1 = d1.bytesInUse();
    long base2 = d2.bytesInUse();
    GptBlock.Acts[][] a1 = new GptBlock.Acts[2][1], a2 = new GptBlock.Acts[2][1];
    float[][] dx1 = new float[2][];
    GptBlock.WStash[] stash = new GptBlock.WStash[2];
    for (int mb = 0; mb < 2; mb++) {
      d1.free(split.forward(d1.upload(xs[mb]), B, T, a1[mb]));
      d2.free(fused.forward(d2.upload(xs[mb]), B, T, a2[mb]));
    }
    for (int mb = 0; mb < 2; mb++) {
      GptBlock.BResult res = split.backwardInput(a1[mb][0], d1.upload(dys[mb]), B, T);
      dx1[mb] = d1.download(res.dx());
      d1.free(res.dx());
      stash[mb] = res.stash();
    }
    for (int mb = 0; mb < 2; mb++) {
      split.backwardWeight(stash[mb], B, T);
    }
    for (int mb = 0; mb < 2; mb++) {
      Buf dx = fused.backward(a2[mb][0], d2.upload(dys[mb]), B, T);
      assertThat(d2.download(dx)).isEqualTo(dx1[mb]);
      d2.free(dx);
    }
    for (int i = 0; i < p1.size(); i++) {
      assertThat(d1.download(p1.get(i).grad())).as(p1.get(i).name()).isEqualTo(d2.download(p2.get(i).grad()));
    }
    assertThat(d1.bytesInUse()).isEqualTo(base1);
    assertThat(d2.bytesInUse()).isEqualTo(base2);
  }
}
