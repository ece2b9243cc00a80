package io.zbpp.gpu.model;

import static io.zbpp.gpu.nn.GradCheck.check;
import static io.zbpp.gpu.nn.GradCheck.dot;
import static io.zbpp.gpu.nn.GradCheck.randn;

import io.zbpp.gpu.cpu.CpuDevice;
import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;
import io.zbpp.gpu.nn.Param;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of whole stages: a full model (embedding … loss) and a middle chunk. */
class GptChunkGradientTest {
  private static final int B = 2;

  @Test
  void wholeModelGradientsOfTheLossMatchFiniteDifferences() {
    GptConfig cfg = new GptConfig("t", 2, 16, 2, 256, 6);
    Device d = new CpuDevice();
    GptChunk chunk = new GptChunk(d, cfg, Partition.even(2, 1), 0, 11);
    perturbParams(d, chunk, 21);
    Random r = new Random(1);
    int N = B * cfg.seqLen();
    float[] tokens = new float[N];
    float[] targets = new float[N];
    for (int i = 0; i < N; i++) {
      tokens[i] = r.nextInt(8);
      targets[i] = r.nextInt(8);
    }
    chunk.forward(0, d.upload(tokens), d.upload(targets), B);
    chunk.backwardInput(0, null, 1f);
    chunk.backwardWeight(0);
    int[] mb = {1};
    DoubleSupplier loss = () -> {
      int id = mb[0]++;
      chunk.forward(id, d.upload(tokens), d.upload(targets), B);
      return chunk.loss(id) * N;
    };
    checkAll(d, chunk.params(), loss);
  }

  @Test
  void middleChunkInputAndParameterGradientsMatchFiniteDifferences() {
    GptConfig cfg = new GptConfig("t", 3, 16, 2, 256, 6);
    Device d = new CpuDevice();
    GptChunk chunk = new GptChunk(d, cfg, Partition.even(3, 3), 1, 12);
    perturbParams(d, chunk, 22);
    Random r = new Random(2);
    int n = B * cfg.seqLen() * cfg.hidden();
    float[] x = randn(r, n, 1);
    float[] R = randn(r, n, 1);
    Buf y = chunk.forward(0, d.upload(x), null, B);
    d.free(y);
    float[] dx = d.download(chunk.backwardInput(0, d.upload(R), 0f));
    chunk.backwardWeight(0);
    Buf xn = d.upload(x);
    int[] mb = {1};
    DoubleSupplier loss = () -> dot(d.download(chunk.forward(mb[0]++, xn, null, B)), R);
    check("chunk.x", d, xn, dx, loss, 20, 3);
    checkAll(d, chunk.params(), loss);
  }

  private static void checkAll(Device d, List<Param> params, DoubleSupplier loss) {
    long seed = 100;
    for (Param p : params) {
      check(p.name(), d, p.value(), d.download(p.grad()), loss, 8, seed++);
    }
  }

  /**
   * GPT-2's init (std 0.02) makes attention nearly uniform and most gradients tiny; larger random values make
   * every path carry signal, so a wrong backward cannot hide under the tolerance.
   */
  private static void perturbParams(Device d, GptChunk chunk, long seed) {
    Random r = new Random(seed);
    for (Param p : chunk.params()) {
      float[] v = d.download(p.value());
      for (int i = 0; i < v.length; i++) {
        v[i] += (float) (r.nextGaussian() * 0.3);
      }
      d.write(p.value(), v);
    }
  }
}
