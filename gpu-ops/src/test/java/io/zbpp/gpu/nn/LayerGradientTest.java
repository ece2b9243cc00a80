package io.zbpp.gpu.nn;

import static io.zbpp.gpu.nn.GradCheck.check;
import static io.zbpp.gpu.nn.GradCheck.dot;
import static io.zbpp.gpu.nn.GradCheck.randn;

import io.zbpp.gpu.cpu.CpuDevice;
import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Finite-difference gradient checks of every layer on the CPU backend, for inputs and parameters. */
class LayerGradientTest {
  private final Device d = new CpuDevice();
  private final Random r = new Random(7);

  private Param param(String name, int n, double std) {
    return Param.create(d, name, new int[] {n}, true, randn(r, n, std));
  }

  @Test
  void linearGradientsMatchFiniteDifferences() {
    int N = 6, C = 5, OC = 7;
    Param w = param("w", OC * C, 0.5);
    Param b = param("b", OC, 0.5);
    Linear lin = new Linear(d, w, b, C, OC);
    Buf x = d.upload(randn(r, N * C, 1));
    float[] R = randn(r, N * OC, 1);
    Buf dy = d.upload(R);
    float[] dx = d.download(lin.backwardInput(dy, N));
    lin.backwardWeight(dy, x, N);
    java.util.function.DoubleSupplier loss = () -> dot(d.download(lin.forward(x, N)), R);
    check("linear.x", d, x, dx, loss, 30, 1);
    check("linear.w", d, w.value(), d.download(w.grad()), loss, 35, 2);
    check("linear.b", d, b.value(), d.download(b.grad()), loss, 7, 3);
  }

  @Test
  void layerNormGradientsMatchFiniteDifferences() {
    int N = 4, C = 8;
    Param w = Param.create(d, "w", new int[] {C}, false, randn(r, C, 1));
    Param b = param("b", C, 1);
    LayerNorm ln = new LayerNorm(d, w, b, C);
    Buf x = d.upload(randn(r, N * C, 1));
    float[] R = randn(r, N * C, 1);
    LayerNorm.Out o = ln.forward(x, N);
    Buf dx = d.alloc(N * C);
    ln.backwardInput(dx, d.upload(R), x, o, N);
    ln.backwardWeight(d.upload(R), x, o, N);
    java.util.function.DoubleSupplier loss = () -> dot(d.download(ln.forward(x, N).out()), R);
    check("ln.x", d, x, d.download(dx), loss, 32, 1);
    check("ln.w", d, w.value(), d.download(w.grad()), loss, 8, 2);
    check("ln.b", d, b.value(), d.download(b.grad()), loss, 8, 3);
  }

  @Test
  void geluGradientMatchesFiniteDifferences() {
    int N = 40;
    Gelu g = new Gelu(d);
    Buf x = d.upload(randn(r, N, 2));
    float[] R = randn(r, N, 1);
    float[] dx = d.download(g.backwardInput(d.upload(R), x, N));
    check("gelu.x", d, x, dx, () -> dot(d.download(g.forward(x, N)), R), 40, 1);
  }

  @Test
  void attentionGradientMatchesFiniteDifferences() {
    int B = 2, T = 5, C = 8, NH = 2;
    Attention a = new Attention(d, C, NH);
    Buf qkv = d.upload(randn(r, B * T * 3 * C, 1));
    float[] R = randn(r, B * T * C, 1);
    Attention.Out o = a.forward(qkv, B, T);
    float[] dqkv = d.download(a.backwardInput(d.upload(R), qkv, o.att(), B, T));
    check("attention.qkv", d, qkv, dqkv, () -> dot(d.download(a.forward(qkv, B, T).out()), R), 60, 1);
  }

  @Test
  void embeddingGradientMatchesFiniteDifferences() {
    int B = 2, T = 4, C = 3, V = 5;
    Param wte = param("wte", V * C, 1);
    Param wpe = param("wpe", T * C, 1);
    Embedding e = new Embedding(d, wte, wpe, C);
    Buf tokens = d.upload(new float[] {0, 3, 3, 1, 4, 0, 2, 3});
    float[] R = randn(r, B * T * C, 1);
    e.backwardWeight(d.upload(R), tokens, B, T);
    java.util.function.DoubleSupplier loss = () -> dot(d.download(e.forward(tokens, B, T)), R);
    check("embedding.wte", d, wte.value(), d.download(wte.grad()), loss, 15, 1);
    check("embedding.wpe", d, wpe.value(), d.download(wpe.grad()), loss, 12, 2);
  }

  @Test
  void lmHeadWithLossGradientsMatchFiniteDifferences() {
    int N = 6, C = 4, V = 9;
    Param w = param("head", V * C, 1);
    LmHead h = new LmHead(d, w, C, V);
    Buf x = d.upload(randn(r, N * C, 1));
    Buf targets = d.upload(new float[] {1, 8, 0, 3, 3, 5});
    LmHead.Out o = h.forward(x, targets, N);
    LmHead.Grads g = h.backwardInput(o.probs(), targets, 1f, N);
    h.backwardWeight(g.dlogits(), x, N);
    java.util.function.DoubleSupplier loss = () -> {
      double s = 0;
      for (float l : h.forward(x, targets, N).losses()) {
        s += l;
      }
      return s;
    };
    check("head.x", d, x, d.download(g.dx()), loss, 24, 1);
    check("head.w", d, w.value(), d.download(w.grad()), loss, 36, 2);
  }
}
