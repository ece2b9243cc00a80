package io.zbpp.gpu.cpu;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The reference backend: buffers are Java float arrays, GEMMs go through OpenBLAS's {@code cblas_sgemm}
 * ({@link CpuGemm}), everything else is {@link CpuKernels} / {@link CpuAttention}. The same inputs give
 * bit-identical outputs run after run. Freed arrays are pooled by size and handed out again zeroed.
 */
public final class CpuDevice implements Device {
  private final Map<Integer, ArrayDeque<float[]>> pool = new HashMap<>();
  private long bytesInUse;

  /** A CPU buffer: a float array. */
  record CpuBuf(float[] data) implements Buf {
    @Override
    public int size() {
      return data.length;
    }
  }

  @Override
  public Backend backend() {
    return Backend.CPU;
  }

  static float[] a(Buf buf) {
    return ((CpuBuf) buf).data();
  }

  @Override
  public Buf alloc(int n) {
    ArrayDeque<float[]> free = pool.get(n);
    float[] data;
    if (free != null && !free.isEmpty()) {
      data = free.pop();
      Arrays.fill(data, 0f);
    } else {
      data = new float[n];
    }
    bytesInUse += 4L * n;
    return new CpuBuf(data);
  }

  @Override
  public void free(Buf buf) {
    float[] data = a(buf);
    bytesInUse -= 4L * data.length;
    pool.computeIfAbsent(data.length, k -> new ArrayDeque<>()).push(data);
  }

  @Override
  public Buf upload(float[] host) {
    Buf b = alloc(host.length);
    System.arraycopy(host, 0, a(b), 0, host.length);
    return b;
  }

  @Override
  public float[] download(Buf buf) {
    return a(buf).clone();
  }

  @Override
  public void write(Buf dst, float[] host) {
    System.arraycopy(host, 0, a(dst), 0, host.length);
  }

  @Override
  public long bytesInUse() {
    return bytesInUse;
  }

  @Override
  public void encoderForward(Buf out, Buf tokens, Buf wte, Buf wpe, int B, int T, int C) {
    CpuKernels.encoderForward(a(out), a(tokens), a(wte), a(wpe), B, T, C);
  }

  @Override
  public void encoderBackward(Buf dwte, Buf dwpe, Buf dout, Buf tokens, int B, int T, int C) {
    CpuKernels.encoderBackward(a(dwte), a(dwpe), a(dout), a(tokens), B, T, C);
  }

  @Override
  public void matmulForward(Buf out, Buf inp, Buf weight, Buf bias, int N, int C, int OC) {
    CpuGemm.forward(a(out), a(inp), a(weight), bias == null ? null : a(bias), N, C, OC);
  }

  @Override
  public void matmulBackwardInput(Buf dinp, Buf dout, Buf weight, int N, int C, int OC) {
    CpuGemm.backwardInput(a(dinp), a(dout), a(weight), N, C, OC);
  }

  @Override
  public void matmulBackwardWeight(Buf dweight, Buf dbias, Buf dout, Buf inp, int N, int C, int OC) {
    CpuGemm.backwardWeight(a(dweight), dbias == null ? null : a(dbias), a(dout), a(inp), N, C, OC);
  }

  @Override
  public void layernormForward(Buf out, Buf mean, Buf rstd, Buf inp, Buf weight, Buf bias, int N, int C) {
    CpuKernels.layernormForward(a(out), a(mean), a(rstd), a(inp), a(weight), a(bias), N, C);
  }

  @Override
  public void layernormBackwardInput(
      Buf dinp, Buf dout, Buf inp, Buf weight, Buf mean, Buf rstd, int N, int C) {
    CpuKernels.layernormBackwardInput(a(dinp), a(dout), a(inp), a(weight), a(mean), a(rstd), N, C);
  }

  @Override
  public void layernormBackwardWeight(
      Buf dweight, Buf dbias, Buf dout, Buf inp, Buf mean, Buf rstd, int N, int C) {
    CpuKernels.layernormBackwardWeight(a(dweight), a(dbias), a(dout), a(inp), a(mean), a(rstd), N, C);
  }

  @Override
  public void layernormBackward(Buf dinp, Buf dweight, Buf dbias, Buf dout, Buf inp, Buf weight, Buf mean,
      Buf rstd, int N, int C) {
    CpuKernels.layernormBackward(
        a(dinp), a(dweight), a(dbias), a(dout), a(inp), a(weight), a(mean), a(rstd), N, C);
  }

  @Override
  public void geluForward(Buf out, Buf inp, int N) {
    CpuKernels.geluForward(a(out), a(inp), N);
  }

  @Override
  public void geluBackward(Buf dinp, Buf inp, Buf dout, int N) {
    CpuKernels.geluBackward(a(dinp), a(inp), a(dout), N);
  }

  @Override
  public void attentionForward(Buf out, Buf att, Buf qkv, int B, int T, int C, int NH) {
    CpuAttention.forward(a(out), a(att), a(qkv), B, T, C, NH);
  }

  @Override
  public void attentionBackward(Buf dqkv, Buf dout, Buf qkv, Buf att, int B, int T, int C, int NH) {
    CpuAttention.backward(a(dqkv), a(dout), a(qkv), a(att), B, T, C, NH);
  }

  @Override
  public void residualForward(Buf out, Buf x, Buf y, int N) {
    CpuKernels.residualForward(a(out), a(x), a(y), N);
  }

  @Override
  public void accumulate(Buf dst, Buf src, int N) {
    CpuKernels.accumulate(a(dst), a(src), N);
  }

  @Override
  public void crossEntropyForward(Buf losses, Buf probs, Buf logits, Buf targets, int N, int Vp) {
    CpuKernels.crossEntropyForward(a(losses), a(probs), a(logits), a(targets), N, Vp);
  }

  @Override
  public void crossEntropyBackward(Buf dlogits, Buf probs, Buf targets, float dloss, int N, int Vp) {
    CpuKernels.crossEntropyBackward(a(dlogits), a(probs), a(targets), dloss, N, Vp);
  }

  @Override
  public void adamw(Buf param, Buf grad, Buf m, Buf v, int N, float lr, float beta1, float beta2, float eps,
      float weightDecay, int t) {
    CpuKernels.adamw(a(param), a(grad), a(m), a(v), N, lr, beta1, beta2, eps, weightDecay, t);
  }

  @Override
  public double sumSquares(Buf buf) {
    return CpuKernels.sumSquares(a(buf), buf.size());
  }

  @Override
  public void zero(Buf buf) {
    Arrays.fill(a(buf), 0f);
  }

  @Override
  public void close() {
    pool.clear();
  }
}
