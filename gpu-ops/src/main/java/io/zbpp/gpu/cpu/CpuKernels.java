package io.zbpp.gpu.cpu;

/**
 * The non-GEMM ops in plain Java over float arrays, llm.c's CPU code in Java: each method is the CPU twin of a
 * kernel in {@code src/main/cuda/kernels.cu} and the oracle it is checked against. Shapes and contracts are
 * those of {@link io.zbpp.gpu.device.Device}. Single-threaded and loop-ordered, hence deterministic.
 */
public final class CpuKernels {
  static final float LN_EPS = 1e-5f;
  private static final float GELU_SCALE = (float) Math.sqrt(2.0 / Math.PI);

  private CpuKernels() {}

  public static void encoderForward(float[] out, float[] tokens, float[] wte, float[] wpe, int B, int T, int C) {
    for (int b = 0; b < B; b++) {
      for (int t = 0; t < T; t++) {
        int o = (b * T + t) * C;
        int w = (int) tokens[b * T + t] * C;
        int p = t * C;
        for (int i = 0; i < C; i++) {
          out[o + i] = wte[w + i] + wpe[p + i];
        }
      }
    }
  }

  public static void encoderBackward(
      float[] dwte, float[] dwpe, float[] dout, float[] tokens, int B, int T, int C) {
    for (int b = 0; b < B; b++) {
      for (int t = 0; t < T; t++) {
        int o = (b * T + t) * C;
        int w = (int) tokens[b * T + t] * C;
        int p = t * C;
        for (int i = 0; i < C; i++) {
          dwte[w + i] += dout[o + i];
          dwpe[p + i] += dout[o + i];
        }
      }
    }
  }

  public static void addBiasRows(float[] out, float[] bias, int N, int OC) {
    for (int n = 0; n < N; n++) {
      System.arraycopy(bias, 0, out, n * OC, OC);
    }
  }

  /** dbias[OC] += Σₙ dout[n,:], rows in order. */
  public static void biasBackward(float[] dbias, float[] dout, int N, int OC) {
    for (int n = 0; n < N; n++) {
      int r = n * OC;
      for (int o = 0; o < OC; o++) {
        dbias[o] += dout[r + o];
      }
    }
  }

  public static void layernormForward(
      float[] out, float[] mean, float[] rstd, float[] inp, float[] weight, float[] bias, int N, int C) {
    for (int n = 0; n < N; n++) {
      int r = n * C;
      float m = 0f;
      for (int i = 0; i < C; i++) {
        m += inp[r + i];
      }
      m /= C;
      float v = 0f;
      for (int i = 0; i < C; i++) {
        float d = inp[r + i] - m;
        v += d * d;
      }
      v /= C;
      float s = (float) (1.0 / Math.sqrt(v + LN_EPS));
      for (int i = 0; i < C; i++) {
        out[r + i] = (s * (inp[r + i] - m)) * weight[i] + bias[i];
      }
      mean[n] = m;
      rstd[n] = s;
    }
  }

  public static void layernormBackwardInput(
      float[] dinp, float[] dout, float[] inp, float[] weight, float[] mean, float[] rstd, int N, int C) {
    for (int n = 0; n < N; n++) {
      layernormRowInput(dinp, dout, inp, weight, mean[n], rstd[n], n * C, C);
    }
  }

  public static void layernormBackwardWeight(
      float[] dweight, float[] dbias, float[] dout, float[] inp, float[] mean, float[] rstd, int N, int C) {
    for (int n = 0; n < N; n++) {
      layernormRowWeight(dweight, dbias, dout, inp, mean[n], rstd[n], n * C, C);
    }
  }

  /** llm.c's fused form: both halves per row, in one pass over the rows. */
  public static void layernormBackward(float[] dinp, float[] dweight, float[] dbias, float[] dout,
      float[] inp, float[] weight, float[] mean, float[] rstd, int N, int C) {
    for (int n = 0; n < N; n++) {
      layernormRowInput(dinp, dout, inp, weight, mean[n], rstd[n], n * C, C);
      layernormRowWeight(dweight, dbias, dout, inp, mean[n], rstd[n], n * C, C);
    }
  }

  private static void layernormRowInput(
      float[] dinp, float[] dout, float[] inp, float[] weight, float m, float s, int r, int C) {
    float dnormMean = 0f;
    float dnormNormMean = 0f;
    for (int i = 0; i < C; i++) {
      float norm = (inp[r + i] - m) * s;
      float dnorm = weight[i] * dout[r + i];
      dnormMean += dnorm;
      dnormNormMean += dnorm * norm;
    }
    dnormMean /= C;
    dnormNormMean /= C;
    for (int i = 0; i < C; i++) {
      float norm = (inp[r + i] - m) * s;
      float dnorm = weight[i] * dout[r + i];
      dinp[r + i] += (dnorm - dnormMean - norm * dnormNormMean) * s;
    }
  }

  private static void layernormRowWeight(
      float[] dweight, float[] dbias, float[] dout, float[] inp, float m, float s, int r, int C) {
    for (int i = 0; i < C; i++) {
      float norm = (inp[r + i] - m) * s;
      dbias[i] += dout[r + i];
      dweight[i] += norm * dout[r + i];
    }
  }

  public static void geluForward(float[] out, float[] inp, int N) {
    for (int i = 0; i < N; i++) {
      float x = inp[i];
      float cube = 0.044715f * x * x * x;
      out[i] = 0.5f * x * (1.0f + tanh(GELU_SCALE * (x + cube)));
    }
  }

  public static void geluBackward(float[] dinp, float[] inp, float[] dout, int N) {
    for (int i = 0; i < N; i++) {
      float x = inp[i];
      float cube = 0.044715f * x * x * x;
      float tanhOut = tanh(GELU_SCALE * (x + cube));
      float sech2 = 1.0f - tanhOut * tanhOut;
      float local = 0.5f * (1.0f + tanhOut)
          + x * 0.5f * sech2 * GELU_SCALE * (1.0f + 3.0f * 0.044715f * x * x);
      dinp[i] = local * dout[i];
    }
  }

  /**
   * tanh through one exp in double (Math.tanh is several times slower, and GELU's tanh cost as much as the
   * block's GEMMs): 1 − 2/(e^{2x}+1), exact to float precision, ±1 at the extremes.
   */
  static float tanh(float x) {
    return (float) (1.0 - 2.0 / (Math.exp(2.0 * x) + 1.0));
  }

  public static void residualForward(float[] out, float[] a, float[] b, int N) {
    for (int i = 0; i < N; i++) {
      out[i] = a[i] + b[i];
    }
  }

  public static void accumulate(float[] dst, float[] src, int N) {
    for (int i = 0; i < N; i++) {
      dst[i] += src[i];
    }
  }

  public static void crossEntropyForward(
      float[] losses, float[] probs, float[] logits, float[] targets, int N, int Vp) {
    for (int n = 0; n < N; n++) {
      int r = n * Vp;
      float max = Float.NEGATIVE_INFINITY;
      for (int i = 0; i < Vp; i++) {
        max = Math.max(max, logits[r + i]);
      }
      float sum = 0f;
      for (int i = 0; i < Vp; i++) {
        float e = (float) Math.exp(logits[r + i] - max);
        probs[r + i] = e;
        sum += e;
      }
      float inv = 1f / sum;
      for (int i = 0; i < Vp; i++) {
        probs[r + i] *= inv;
      }
      losses[n] = (float) -Math.log(probs[r + (int) targets[n]]);
    }
  }

  public static void crossEntropyBackward(
      float[] dlogits, float[] probs, float[] targets, float dloss, int N, int Vp) {
    for (int n = 0; n < N; n++) {
      int r = n * Vp;
      int target = (int) targets[n];
      for (int i = 0; i < Vp; i++) {
        float indicator = i == target ? 1f : 0f;
        dlogits[r + i] = (probs[r + i] - indicator) * dloss;
      }
    }
  }

  public static void adamw(float[] param, float[] grad, float[] m, float[] v, int N, float lr, float beta1,
      float beta2, float eps, float weightDecay, int t) {
    float c1 = 1f - (float) Math.pow(beta1, t);
    float c2 = 1f - (float) Math.pow(beta2, t);
    for (int i = 0; i < N; i++) {
      float g = grad[i];
      float mi = beta1 * m[i] + (1f - beta1) * g;
      float vi = beta2 * v[i] + (1f - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      float mhat = mi / c1;
      float vhat = vi / c2;
      param[i] = param[i] * (1f - lr * weightDecay) - lr * mhat / ((float) Math.sqrt(vhat) + eps);
    }
  }

  public static double sumSquares(float[] x, int N) {
    double s = 0;
    for (int i = 0; i < N; i++) {
      s += (double) x[i] * x[i];
    }
    return s;
  }
}
