package io.zbpp.gpu.cuda;

import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Runs every {@link Device} op on two devices (the CPU oracle and the device under test) from the same random
 * inputs and compares the outputs: error = max|test − ref| / max(|ref|, 1e-6), against a tolerance named per op.
 * Shared by {@code CudaDeviceTest} (JUnit, skipped without a GPU) and {@link CudaCheck} (the GPU-machine script).
 */
public final class CudaParity {
  /** Tolerances per op, relative to the largest reference value. */
  public static final double TOL_EXACT = 0.0;
  public static final double TOL_GEMM = 1e-5;
  public static final double TOL_LAYERNORM = 1e-5;
  public static final double TOL_ELEMENTWISE = 1e-6;
  public static final double TOL_ATTENTION = 2e-5;
  public static final double TOL_CROSS_ENTROPY = 1e-5;
  public static final double TOL_ADAMW = 1e-6;
  public static final double TOL_SUM_SQUARES = 1e-12;

  /** One comparison. */
  public record Result(String op, double error, double tolerance) {
    public boolean pass() {
      return error <= tolerance;
    }
  }

  private final Device ref;
  private final Device test;
  private final Random r;
  private final List<Result> results = new ArrayList<>();

  public CudaParity(Device ref, Device test, long seed) {
    this.ref = ref;
    this.test = test;
    this.r = new Random(seed);
  }

  /** All ops at shapes B,T,C,NH (C a multiple of NH) and vocabulary Vp; returns one result per output. */
  public List<Result> runAll(int B, int T, int C, int NH, int Vp) {
    int N = B * T;
    float[] tokens = ints(N, Vp);
    float[] x = randn(N * C);
    compare("encoderForward", TOL_EXACT, N * C, (d, o) -> d.encoderForward(o[0], up(d, tokens), up(d, randnFixed(Vp * C, 1)),
        up(d, randnFixed(T * C, 2)), B, T, C));
    compareGrads("encoderBackward", TOL_EXACT, new int[] {Vp * C, T * C},
        d -> g -> d.encoderBackward(g[0], g[1], up(d, x), up(d, tokens), B, T, C));
    float[] w = randn(3 * C * C);
    float[] bias = randn(3 * C);
    float[] dy = randn(N * 3 * C);
    compare("matmulForward", TOL_GEMM, N * 3 * C, (d, o) -> d.matmulForward(o[0], up(d, x), up(d, w), up(d, bias), N, C, 3 * C));
    compare("matmulBackwardInput", TOL_GEMM, N * C, (d, o) -> d.matmulBackwardInput(o[0], up(d, dy), up(d, w), N, C, 3 * C));
    compareGrads("matmulBackwardWeight", TOL_GEMM, new int[] {3 * C * C, 3 * C},
        d -> g -> d.matmulBackwardWeight(g[0], g[1], up(d, dy), up(d, x), N, C, 3 * C));
    float[] lw = randn(C);
    float[] lb = randn(C);
    float[] dln = randn(N * C);
    compare("layernormForward", TOL_LAYERNORM, N * C, (d, o) -> d.layernormForward(o[0], d.alloc(N), d.alloc(N), up(d, x),
        up(d, lw), up(d, lb), N, C));
    compare("layernormBackwardInput", TOL_LAYERNORM, N * C, (d, o) -> {
      Buf mean = d.alloc(N);
      Buf rstd = d.alloc(N);
      d.layernormForward(d.alloc(N * C), mean, rstd, up(d, x), up(d, lw), up(d, lb), N, C);
      d.layernormBackwardInput(o[0], up(d, dln), up(d, x), up(d, lw), mean, rstd, N, C);
    });
    compareGrads("layernormBackwardWeight", TOL_LAYERNORM, new int[] {C, C}, d -> g -> {
      Buf mean = d.alloc(N);
      Buf rstd = d.alloc(N);
      d.layernormForward(d.alloc(N * C), mean, rstd, up(d, x), up(d, lw), up(d, lb), N, C);
      d.layernormBackwardWeight(g[0], g[1], up(d, dln), up(d, x), mean, rstd, N, C);
    });
    float[] gx = randn(N * 4 * C);
    float[] gd = randn(N * 4 * C);
    compare("geluForward", TOL_ELEMENTWISE, N * 4 * C, (d, o) -> d.geluForward(o[0], up(d, gx), N * 4 * C));
    compare("geluBackward", TOL_ELEMENTWISE, N * 4 * C, (d, o) -> d.geluBackward(o[0], up(d, gx), up(d, gd), N * 4 * C));
    compare("residualForward", TOL_EXACT, N * C, (d, o) -> d.residualForward(o[0], up(d, x), up(d, dln), N * C));
    compare("accumulate", TOL_EXACT, N * C, (d, o) -> {
      d.write(o[0], x);
      d.accumulate(o[0], up(d, dln), N * C);
    });
    attention(B, T, C, NH);
    crossEntropy(N, Vp);
    float[] pw = randn(1000);
    float[] pg = randn(1000);
    compare("adamw", TOL_ADAMW, 1000, (d, o) -> {
      d.write(o[0], pw);
      Buf m = up(d, randnFixed(1000, 3));
      Buf v = up(d, absFixed(1000, 4));
      d.adamw(o[0], up(d, pg), m, v, 1000, 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 3);
    });
    double s1 = ref.sumSquares(up(ref, pg));
    double s2 = test.sumSquares(up(test, pg));
    results.add(new Result("sumSquares", Math.abs(s1 - s2) / s1, TOL_SUM_SQUARES));
    return List.copyOf(results);
  }

  private void attention(int B, int T, int C, int NH) {
    float[] qkv = randn(B * T * 3 * C);
    float[] dout = randn(B * T * C);
    int att = B * NH * T * T;
    compare("attentionForward.out", TOL_ATTENTION, B * T * C, (d, o) -> d.attentionForward(o[0], d.alloc(att),
        up(d, qkv), B, T, C, NH));
    compare("attentionForward.att", TOL_ATTENTION, att, (d, o) -> d.attentionForward(d.alloc(B * T * C), o[0],
        up(d, qkv), B, T, C, NH));
    compare("attentionBackward", TOL_ATTENTION, B * T * 3 * C, (d, o) -> {
      Buf a = d.alloc(att);
      Buf q = up(d, qkv);
      d.attentionForward(d.alloc(B * T * C), a, q, B, T, C, NH);
      d.attentionBackward(o[0], up(d, dout), q, a, B, T, C, NH);
    });
  }

  private void crossEntropy(int N, int Vp) {
    float[] logits = randn(N * Vp);
    float[] targets = ints(N, Vp);
    compare("crossEntropyForward.losses", TOL_CROSS_ENTROPY, N, (d, o) -> d.crossEntropyForward(o[0],
        d.alloc(N * Vp), up(d, logits), up(d, targets), N, Vp));
    compare("crossEntropyBackward", TOL_CROSS_ENTROPY, N * Vp, (d, o) -> {
      Buf probs = d.alloc(N * Vp);
      d.crossEntropyForward(d.alloc(N), probs, up(d, logits), up(d, targets), N, Vp);
      d.crossEntropyBackward(o[0], probs, up(d, targets), 0.5f, N, Vp);
    });
  }

  private interface Op {
    void run(Device d, Buf[] out);
  }

  private void compare(String name, double tol, int n, Op op) {
    Buf[] a = {ref.alloc(n)};
    Buf[] b = {test.alloc(n)};
    op.run(ref, a);
    op.run(test, b);
    results.add(new Result(name, error(ref.download(a[0]), test.download(b[0])), tol));
  }

  /** Ops that accumulate into gradients: start both from the same non-zero values. */
  private void compareGrads(String name, double tol, int[] sizes, Function<Device, java.util.function.Consumer<Buf[]>> op) {
    float[][] init = new float[sizes.length][];
    for (int i = 0; i < sizes.length; i++) {
      init[i] = randn(sizes[i]);
    }
    Buf[] a = new Buf[sizes.length];
    Buf[] b = new Buf[sizes.length];
    for (int i = 0; i < sizes.length; i++) {
      a[i] = up(ref, init[i]);
      b[i] = up(test, init[i]);
    }
    op.apply(ref).accept(a);
    op.apply(test).accept(b);
    for (int i = 0; i < sizes.length; i++) {
      results.add(new Result(name + "[" + i + "]", error(ref.download(a[i]), test.download(b[i])), tol));
    }
  }

  /** max|b − a| / max(max|a|, 1e-6). */
  public static double error(float[] a, float[] b) {
    double maxDiff = 0;
    double maxRef = 1e-6;
    for (int i = 0; i < a.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs((double) b[i] - a[i]));
      maxRef = Math.max(maxRef, Math.abs(a[i]));
    }
    return Double.isNaN(maxDiff) ? Double.POSITIVE_INFINITY : maxDiff / maxRef;
  }

  private static Buf up(Device d, float[] a) {
    return d.upload(a);
  }

  private float[] randn(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    return a;
  }

  private static float[] randnFixed(int n, long seed) {
    Random q = new Random(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) q.nextGaussian();
    }
    return a;
  }

  private static float[] absFixed(int n, long seed) {
    float[] a = randnFixed(n, seed);
    for (int i = 0; i < n; i++) {
      a[i] = Math.abs(a[i]);
    }
    return a;
  }

  private float[] ints(int n, int bound) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextInt(bound);
    }
    return a;
  }
}
