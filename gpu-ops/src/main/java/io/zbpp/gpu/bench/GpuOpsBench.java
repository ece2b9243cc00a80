package io.zbpp.gpu.bench;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

import io.zbpp.gpu.cpu.CpuGemm;
import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.gpu.pipeline.ChunkRunnerFactory;
import io.zbpp.gpu.pipeline.HostTensor;
import io.zbpp.gpu.pipeline.PassProfile;
import io.zbpp.gpu.pipeline.RunnerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;

/**
 * {@code zbpp bench ops}: samples/s of F, B and W for a preset on the cpu backend (the whole model as one
 * chunk), and GFLOP/s of our GEMM path ({@link CpuGemm} on Java arrays) against OpenBLAS's own sgemm on
 * off-heap memory, on the shapes of the linear layers. Usage:
 * {@code GpuOpsBench [preset=small] [microbatchSize=8] [blasThreads=one per core]}.
 */
public final class GpuOpsBench {
  /** One pass kind: microbatches timed and samples per second. */
  public record PassRate(String pass, int microbatches, double seconds, double samplesPerSecond) {}

  /** One GEMM shape in one form: ours against raw sgemm. */
  public record GemmRate(String name, int m, int n, int k, double oursGflops, double blasGflops) {}

  private GpuOpsBench() {}

  public static void main(String[] args) {
    String preset = args.length > 0 ? args[0] : "small";
    int b = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    if (args.length > 2) {
      CpuGemm.setThreads(Integer.parseInt(args[2]));
    }
    GptConfig c = GptConfig.preset(preset);
    System.out.printf(Locale.ROOT,
        "gpu-ops bench: preset %s (L=%d C=%d NH=%d T=%d), microbatch %d, cpu backend, %d BLAS threads%n",
        preset, c.layers(), c.hidden(), c.heads(), c.seqLen(), b, CpuGemm.threads());
    for (PassRate r : passRates(preset, b, 8)) {
      System.out.printf(Locale.ROOT, "  %-2s %8.1f samples/s  (%d microbatches in %.3f s)%n", r.pass(),
          r.samplesPerSecond(), r.microbatches(), r.seconds());
    }
    PassProfile mem = PassProfile.measure(RunnerSpec.of(preset, Backend.CPU, 1, 1, b, 1), 1).get(0);
    System.out.printf(Locale.ROOT, "  memory per microbatch: dM(F) %+,d  dM(B) %+,d  dM(W) %+,d bytes%n",
        mem.deltaF(), mem.deltaB(), mem.deltaW());
    System.out.printf(Locale.ROOT, "  %-24s %6s %6s %6s %10s %10s %7s%n", "GEMM", "M", "N", "K", "ours GF/s",
        "sgemm GF/s", "ratio");
    for (GemmRate g : gemmRates(c, b)) {
      System.out.printf(Locale.ROOT, "  %-24s %6d %6d %6d %10.1f %10.1f %7.2f%n", g.name(), g.m(), g.n(), g.k(),
          g.oursGflops(), g.blasGflops(), g.oursGflops() / g.blasGflops());
    }
  }

  /** Times m microbatches of F, then of B, then of W; best of three iterations after one warm-up. */
  public static List<PassRate> passRates(String preset, int b, int m) {
    RunnerSpec spec = RunnerSpec.of(preset, Backend.CPU, 1, m, b, 1);
    List<PassRate> out = new ArrayList<>();
    try (ChunkRunner r = ChunkRunnerFactory.create(spec, 0)) {
      long[] t = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
      for (int k = 0; k < 4; k++) { // iteration 0 warms up; the best of the others counts (shared machine)
        long t0 = System.nanoTime();
        for (int j = 0; j < m; j++) {
          r.forward(k, j, null);
        }
        long t1 = System.nanoTime();
        for (int j = 0; j < m; j++) {
          HostTensor none = r.backwardInput(j, null);
          assert none == null;
        }
        long t2 = System.nanoTime();
        for (int j = 0; j < m; j++) {
          r.backwardWeight(j);
        }
        long t3 = System.nanoTime();
        r.step(k);
        if (k > 0) {
          t = new long[] {Math.min(t[0], t1 - t0), Math.min(t[1], t2 - t1), Math.min(t[2], t3 - t2)};
        }
      }
      String[] names = {"F", "B", "W"};
      for (int i = 0; i < 3; i++) {
        double s = t[i] / 1e9;
        out.add(new PassRate(names[i], m, s, m * b / s));
      }
    }
    return out;
  }

  /** The linear layers' GEMMs (forward, B and W forms) for microbatch b of config c. */
  public static List<GemmRate> gemmRates(GptConfig c, int b) {
    int N = b * c.seqLen();
    int C = c.hidden();
    int[][] shapes = {{C, 3 * C}, {C, C}, {C, 4 * C}, {4 * C, C}, {C, c.vocab()}};
    String[] names = {"qkv", "attn.proj", "mlp.fc", "mlp.proj", "head"};
    List<GemmRate> out = new ArrayList<>();
    Random r = new Random(1);
    for (int s = 0; s < shapes.length; s++) {
      int in = shapes[s][0];
      int oc = shapes[s][1];
      float[] x = rand(r, N * in);
      float[] w = rand(r, oc * in);
      float[] y = rand(r, N * oc);
      float[] dx = new float[N * in];
      float[] dw = new float[oc * in];
      out.add(pair(names[s] + " F", N, oc, in, () -> CpuGemm.forward(y, x, w, null, N, in, oc),
          CblasNoTrans, CblasTrans, x, in, w, in, oc));
      out.add(pair(names[s] + " B", N, in, oc, () -> CpuGemm.backwardInput(dx, y, w, N, in, oc),
          CblasNoTrans, CblasNoTrans, y, oc, w, in, in));
      out.add(pair(names[s] + " W", oc, in, N, () -> CpuGemm.backwardWeight(dw, null, y, x, N, in, oc),
          CblasTrans, CblasNoTrans, y, oc, x, in, in));
    }
    return out;
  }

  /**
   * Ours against raw sgemm (C[m,n] = op(A)·op(B) on off-heap copies, so no per-call copying), timed in
   * alternation and each taken at its best, so that both see the same load on a shared machine.
   */
  private static GemmRate pair(String name, int m, int n, int k, Runnable ours, int ta, int tb, float[] a,
      int lda, float[] b, int ldb, int ldc) {
    double flop = 2.0 * m * n * k;
    try (FloatPointer pa = new FloatPointer(a);
        FloatPointer pb = new FloatPointer(b);
        FloatPointer pc = new FloatPointer((long) m * n)) {
      Runnable blas = () -> cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1f, pa, lda, pb, ldb, 0f, pc, ldc);
      ours.run();
      blas.run();
      double bestOurs = Double.MAX_VALUE;
      double bestBlas = Double.MAX_VALUE;
      for (int rep = 0; rep < 6; rep++) {
        bestOurs = Math.min(bestOurs, secondsPerCall(ours));
        bestBlas = Math.min(bestBlas, secondsPerCall(blas));
      }
      return new GemmRate(name, m, n, k, flop / bestOurs / 1e9, flop / bestBlas / 1e9);
    }
  }

  /** Mean seconds per call over a batch of at least ~30 ms. */
  private static double secondsPerCall(Runnable op) {
    int n = 0;
    long t0 = System.nanoTime();
    long t;
    do {
      op.run();
      n++;
      t = System.nanoTime() - t0;
    } while (t < 30_000_000L);
    return t / 1e9 / n;
  }

  private static float[] rand(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextFloat() - 0.5f;
    }
    return a;
  }
}
