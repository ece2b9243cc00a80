package io.zbpp.gpu.nn;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;
import java.util.Random;
import java.util.function.DoubleSupplier;

/**
 * Central finite differences in float32 against an analytic gradient: for sampled elements of a buffer,
 * (L(x+ε) − L(x−ε)) / 2ε must match the analytic value within |diff| ≤ abs + REL·max(|num|, |ana|), where
 * abs = max(ABS_FLOOR, ABS_OF_MAX · max|analytic|) so that tensors with small gradients are still checked.
 */
public final class GradCheck {
  static final float EPS = 1e-2f;
  static final double ABS_FLOOR = 1e-4;
  static final double ABS_OF_MAX = 1e-2;
  static final double REL = 3e-2;

  private GradCheck() {}

  /** Checks {@code samples} random elements of {@code x} (an input or a parameter value). */
  public static void check(String what, Device d, Buf x, float[] analytic, DoubleSupplier loss, int samples,
      long seed) {
    Random r = new Random(seed);
    float[] base = d.download(x);
    double maxAbs = 0;
    for (float a : analytic) {
      maxAbs = Math.max(maxAbs, Math.abs(a));
    }
    double abs = Math.max(ABS_FLOOR, ABS_OF_MAX * maxAbs);
    for (int s = 0; s < Math.min(samples, base.length); s++) {
      int i = samples >= base.length ? s : r.nextInt(base.length);
      float[] p = base.clone();
      p[i] = base[i] + EPS;
      d.write(x, p);
      double lp = loss.getAsDouble();
      p[i] = base[i] - EPS;
      d.write(x, p);
      double lm = loss.getAsDouble();
      d.write(x, base);
      double num = (lp - lm) / (2 * EPS);
      double ana = analytic[i];
      assertThat(Math.abs(num - ana))
          .as("%s[%d]: numeric %.6g, analytic %.6g", what, i, num, ana)
          .isLessThanOrEqualTo(abs + REL * Math.max(Math.abs(num), Math.abs(ana)));
    }
    assertThat(maxAbs).as("%s: analytic gradient is not all zero", what).isGreaterThan(0);
  }

  /** Σ out·R in double. */
  public static double dot(float[] out, float[] r) {
    double s = 0;
    for (int i = 0; i < out.length; i++) {
      s += (double) out[i] * r[i];
    }
    return s;
  }

  public static float[] randn(Random r, int n, double std) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextGaussian() * std);
    }
    return a;
  }
}
