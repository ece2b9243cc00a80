package io.zbpp.gpu.cpu;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasTrans;

/**
 * Causal multi-head self-attention core on the CPU, the twin of the {@code attention_*} kernels. qkv[B,T,3C]
 * holds q | k | v; head h uses channels h·hs … (h+1)·hs−1 of each, hs = C/NH; att[B,NH,T,T] is the softmax
 * (zero for t2 &gt; t); out[B,T,C]. Per (b, h) the head's q, k, v are gathered into contiguous [T,hs] matrices
 * and the four products go through {@link CpuGemm#sgemm} (the plain-loop form was 60% of the CPU time of F and
 * B); the softmax and its backward are loops. Deterministic: fixed loop and GEMM order.
 */
public final class CpuAttention {
  private CpuAttention() {}

  /** The head's working matrices for one (b, h). */
  private static final class Head {
    final float[] q;
    final float[] k;
    final float[] v;
    final float[] s;

    Head(int T, int hs) {
      q = new float[T * hs];
      k = new float[T * hs];
      v = new float[T * hs];
      s = new float[T * T];
    }

    void gather(float[] qkv, int b, int h, int T, int C, int hs) {
      for (int t = 0; t < T; t++) {
        int base = (b * T + t) * 3 * C + h * hs;
        System.arraycopy(qkv, base, q, t * hs, hs);
        System.arraycopy(qkv, base + C, k, t * hs, hs);
        System.arraycopy(qkv, base + 2 * C, v, t * hs, hs);
      }
    }
  }

  public static void forward(float[] out, float[] att, float[] qkv, int B, int T, int C, int NH) {
    int hs = C / NH;
    float scale = (float) (1.0 / Math.sqrt(hs));
    Head w = new Head(T, hs);
    float[] o = new float[T * hs];
    for (int b = 0; b < B; b++) {
      for (int h = 0; h < NH; h++) {
        w.gather(qkv, b, h, T, C, hs);
        CpuGemm.sgemm(CblasNoTrans, CblasTrans, T, T, hs, w.q, hs, w.k, hs, 0f, w.s, T); // S = Q·Kᵀ
        int a = (b * NH + h) * T * T;
        for (int t = 0; t < T; t++) {
          softmaxRow(w.s, t * T, t, T, scale);
        }
        System.arraycopy(w.s, 0, att, a, T * T);
        CpuGemm.sgemm(CblasNoTrans, CblasNoTrans, T, hs, T, w.s, T, w.v, hs, 0f, o, hs); // O = P·V
        for (int t = 0; t < T; t++) {
          System.arraycopy(o, t * hs, out, (b * T + t) * C + h * hs, hs);
        }
      }
    }
  }

  /** row[0…t] ← softmax(scale·row[0…t]); row[t+1…T−1] ← 0. */
  private static void softmaxRow(float[] s, int r, int t, int T, float scale) {
    float max = Float.NEGATIVE_INFINITY;
    for (int t2 = 0; t2 <= t; t2++) {
      s[r + t2] *= scale;
      max = Math.max(max, s[r + t2]);
    }
    float sum = 0f;
    for (int t2 = 0; t2 <= t; t2++) {
      float e = (float) Math.exp(s[r + t2] - max);
      s[r + t2] = e;
      sum += e;
    }
    float inv = 1f / sum;
    for (int t2 = 0; t2 <= t; t2++) {
      s[r + t2] *= inv;
    }
    java.util.Arrays.fill(s, r + t + 1, r + T, 0f);
  }

  /**
   * Overwrites dqkv. With P = att and dO the head's slice of dout: dP = dO·Vᵀ, dV = Pᵀ·dO,
   * dS = P ⊙ (dP − Σ_row P⊙dP)·scale, dQ = dS·K, dK = dSᵀ·Q.
   */
  public static void backward(
      float[] dqkv, float[] dout, float[] qkv, float[] att, int B, int T, int C, int NH) {
    int hs = C / NH;
    float scale = (float) (1.0 / Math.sqrt(hs));
    Head w = new Head(T, hs);
    float[] p = new float[T * T];
    float[] dO = new float[T * hs];
    float[] dq = new float[T * hs];
    float[] dk = new float[T * hs];
    float[] dv = new float[T * hs];
    for (int b = 0; b < B; b++) {
      for (int h = 0; h < NH; h++) {
        w.gather(qkv, b, h, T, C, hs);
        System.arraycopy(att, (b * NH + h) * T * T, p, 0, T * T);
        for (int t = 0; t < T; t++) {
          System.arraycopy(dout, (b * T + t) * C + h * hs, dO, t * hs, hs);
        }
        CpuGemm.sgemm(CblasNoTrans, CblasTrans, T, T, hs, dO, hs, w.v, hs, 0f, w.s, T); // dP = dO·Vᵀ
        CpuGemm.sgemm(CblasTrans, CblasNoTrans, T, hs, T, p, T, dO, hs, 0f, dv, hs); // dV = Pᵀ·dO
        for (int t = 0; t < T; t++) {
          int r = t * T;
          float dot = 0f;
          for (int t2 = 0; t2 <= t; t2++) {
            dot += p[r + t2] * w.s[r + t2];
          }
          for (int t2 = 0; t2 < T; t2++) {
            w.s[r + t2] = t2 <= t ? p[r + t2] * (w.s[r + t2] - dot) * scale : 0f;
          }
        }
        CpuGemm.sgemm(CblasNoTrans, CblasNoTrans, T, hs, T, w.s, T, w.k, hs, 0f, dq, hs); // dQ = dS·K
        CpuGemm.sgemm(CblasTrans, CblasNoTrans, T, hs, T, w.s, T, w.q, hs, 0f, dk, hs); // dK = dSᵀ·Q
        for (int t = 0; t < T; t++) {
          int base = (b * T + t) * 3 * C + h * hs;
          System.arraycopy(dq, t * hs, dqkv, base, hs);
          System.arraycopy(dk, t * hs, dqkv, base + C, hs);
          System.arraycopy(dv, t * hs, dqkv, base + 2 * C, hs);
        }
      }
    }
  }
}
