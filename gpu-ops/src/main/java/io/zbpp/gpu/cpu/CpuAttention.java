package io.zbpp.gpu.cpu;

/**
 * Causal multi-head self-attention core on the CPU (llm.c's {@code attention_forward/backward}), the twin of
 * the {@code attention_*} kernels. qkv[B,T,3C] holds q | k | v; head h uses channels h·hs … (h+1)·hs−1 of
 * each, hs = C/NH; att[B,NH,T,T] is the softmax (zero for t2 &gt; t); out[B,T,C].
 */
public final class CpuAttention {
  private CpuAttention() {}

  public static void forward(float[] out, float[] att, float[] qkv, int B, int T, int C, int NH) {
    int hs = C / NH;
    int C3 = 3 * C;
    float scale = (float) (1.0 / Math.sqrt(hs));
    for (int b = 0; b < B; b++) {
      for (int t = 0; t < T; t++) {
        for (int h = 0; h < NH; h++) {
          int q = (b * T + t) * C3 + h * hs;
          int a = ((b * NH + h) * T + t) * T;
          float max = Float.NEGATIVE_INFINITY;
          for (int t2 = 0; t2 <= t; t2++) {
            int k = (b * T + t2) * C3 + C + h * hs;
            float dot = dot(qkv, q, qkv, k, hs) * scale;
            att[a + t2] = dot;
            max = Math.max(max, dot);
          }
          float sum = 0f;
          for (int t2 = 0; t2 <= t; t2++) {
            float e = (float) Math.exp(att[a + t2] - max);
            att[a + t2] = e;
            sum += e;
          }
          float inv = 1f / sum;
          for (int t2 = 0; t2 < T; t2++) {
            att[a + t2] = t2 <= t ? att[a + t2] * inv : 0f;
          }
          int o = (b * T + t) * C + h * hs;
          for (int i = 0; i < hs; i++) {
            out[o + i] = 0f;
          }
          for (int t2 = 0; t2 <= t; t2++) {
            int v = (b * T + t2) * C3 + 2 * C + h * hs;
            float w = att[a + t2];
            for (int i = 0; i < hs; i++) {
              out[o + i] += w * qkv[v + i];
            }
          }
        }
      }
    }
  }

  /** Overwrites dqkv. Uses the softmax identity dpre = att·(datt − Σ att·datt), O(T) per row. */
  public static void backward(
      float[] dqkv, float[] dout, float[] qkv, float[] att, int B, int T, int C, int NH) {
    java.util.Arrays.fill(dqkv, 0, B * T * 3 * C, 0f);
    int hs = C / NH;
    int C3 = 3 * C;
    float scale = (float) (1.0 / Math.sqrt(hs));
    float[] datt = new float[T];
    for (int b = 0; b < B; b++) {
      for (int t = 0; t < T; t++) {
        for (int h = 0; h < NH; h++) {
          int a = ((b * NH + h) * T + t) * T;
          int o = (b * T + t) * C + h * hs;
          float dot = 0f;
          for (int t2 = 0; t2 <= t; t2++) {
            int v = (b * T + t2) * C3 + 2 * C + h * hs;
            float d = dot(qkv, v, dout, o, hs);
            float w = att[a + t2];
            for (int i = 0; i < hs; i++) {
              dqkv[v + i] += w * dout[o + i];
            }
            datt[t2] = d;
            dot += w * d;
          }
          int q = (b * T + t) * C3 + h * hs;
          for (int t2 = 0; t2 <= t; t2++) {
            float dpre = att[a + t2] * (datt[t2] - dot) * scale;
            int k = (b * T + t2) * C3 + C + h * hs;
            for (int i = 0; i < hs; i++) {
              dqkv[q + i] += qkv[k + i] * dpre;
            }
            for (int i = 0; i < hs; i++) {
              dqkv[k + i] += qkv[q + i] * dpre;
            }
          }
        }
      }
    }
  }

  /**
   * Σ a[ao+i]·b[bo+i] with four interleaved partial sums, combined as (s0+s1)+(s2+s3): a float reduction in one
   * accumulator is bound by the add latency; four keep the FPU busy. Fixed order, so still deterministic.
   */
  static float dot(float[] a, int ao, float[] b, int bo, int n) {
    float s0 = 0f;
    float s1 = 0f;
    float s2 = 0f;
    float s3 = 0f;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[ao + i] * b[bo + i];
      s1 += a[ao + i + 1] * b[bo + i + 1];
      s2 += a[ao + i + 2] * b[bo + i + 2];
      s3 += a[ao + i + 3] * b[bo + i + 3];
    }
    for (; i < n; i++) {
      s0 += a[ao + i] * b[bo + i];
    }
    return (s0 + s1) + (s2 + s3);
  }
}
