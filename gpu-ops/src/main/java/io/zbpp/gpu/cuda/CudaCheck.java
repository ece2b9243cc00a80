package io.zbpp.gpu.cuda;

import io.zbpp.gpu.cpu.CpuDevice;
import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.model.GptInit;
import io.zbpp.gpu.nn.GptBlock;
import io.zbpp.gpu.pipeline.ReferenceTrainer;
import io.zbpp.gpu.pipeline.RunnerSpec;
import java.util.Locale;

/**
 * The GPU-machine check ({@code gpu-ops/scripts/cuda-check.sh run}): (1) every op on CUDA against the CPU
 * oracle with its named tolerance, (2) the tiny model trained 3 steps on both backends, (3) F, B and W of one
 * block at the paper's 1.5B layer shapes (h=2304, a=24, s=1024, b=6), (4) cuBLAS GEMM TFLOP/s on those shapes
 * in FP32 and TF32. Exit status 0 when every check passes, 1 when one fails, 2 when there is no GPU.
 */
public final class CudaCheck {
  private CudaCheck() {}

  public static void main(String[] args) {
    CudaProbe.Status s = CudaProbe.status();
    System.out.println("CUDA probe: " + s.reason());
    if (!s.available()) {
      System.exit(2);
    }
    boolean ok = parity() & model();
    timeBlock(GptConfig.preset("1.5b"), 6, args.length > 0 ? Integer.parseInt(args[0]) : 5);
    gemms(GptConfig.preset("1.5b"), 6);
    System.out.println(ok ? "CUDA CHECK PASSED" : "CUDA CHECK FAILED");
    System.exit(ok ? 0 : 1);
  }

  static boolean parity() {
    boolean ok = true;
    try (CpuDevice cpu = new CpuDevice(); CudaDevice gpu = CudaDevice.create(0)) {
      int[][] shapes = {{2, 16, 32, 4, 256}, {3, 33, 48, 3, 300}};
      for (int[] sh : shapes) {
        System.out.printf(Locale.ROOT, "op parity at B=%d T=%d C=%d NH=%d Vp=%d%n", sh[0], sh[1], sh[2], sh[3], sh[4]);
        for (CudaParity.Result r : new CudaParity(cpu, gpu, 1).runAll(sh[0], sh[1], sh[2], sh[3], sh[4])) {
          System.out.printf(Locale.ROOT, "  %-30s error %.3e  tolerance %.1e  %s%n", r.op(), r.error(), r.tolerance(),
              r.pass() ? "ok" : "FAIL");
          ok &= r.pass();
        }
      }
    }
    return ok;
  }

  static boolean model() {
    RunnerSpec spec = RunnerSpec.of("tiny", Backend.CPU, 7, 2, 2, 2);
    try (ReferenceTrainer cpu = new ReferenceTrainer(spec);
        ReferenceTrainer gpu = new ReferenceTrainer(spec.withBackend(Backend.CUDA))) {
      double[] a = cpu.run(3);
      double[] b = gpu.run(3);
      boolean ok = true;
      for (int i = 0; i < a.length; i++) {
        double rel = Math.abs(a[i] - b[i]) / Math.abs(a[i]);
        System.out.printf(Locale.ROOT, "tiny model iteration %d: loss cpu %.6f cuda %.6f (rel %.1e, tolerance 1e-4)%n",
            i, a[i], b[i], rel);
        ok &= rel <= 1e-4;
      }
      return ok;
    }
  }

  /** Times F, B, W of one block (averages of {@code reps} after one warm-up). */
  static void timeBlock(GptConfig c, int b, int reps) {
    try (CudaDevice d = CudaDevice.create(0)) {
      GptBlock block = new GptBlock(d, GptInit.block(d, c, 1, 0), c.hidden(), c.heads());
      int T = c.seqLen();
      float[] x = new float[b * T * c.hidden()];
      java.util.Random r = new java.util.Random(1);
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
      }
      double[] ms = new double[3];
      for (int rep = 0; rep <= reps; rep++) {
        GptBlock.Acts[] acts = new GptBlock.Acts[1];
        Buf in = d.upload(x);
        Buf dy = d.upload(x);
        d.synchronize();
        long t0 = System.nanoTime();
        Buf y = block.forward(in, b, T, acts);
        d.synchronize();
        long t1 = System.nanoTime();
        GptBlock.BResult res = block.backwardInput(acts[0], dy, b, T);
        d.synchronize();
        long t2 = System.nanoTime();
        block.backwardWeight(res.stash(), b, T);
        d.synchronize();
        long t3 = System.nanoTime();
        d.free(y);
        d.free(res.dx());
        if (rep > 0) {
          ms[0] += (t1 - t0) / 1e6 / reps;
          ms[1] += (t2 - t1) / 1e6 / reps;
          ms[2] += (t3 - t2) / 1e6 / reps;
        }
      }
      System.out.printf(Locale.ROOT, "%s block (h=%d a=%d s=%d b=%d), FP32, ms per layer: F %.2f  B %.2f  W %.2f%n",
          c.name(), c.hidden(), c.heads(), T, b, ms[0], ms[1], ms[2]);
      System.out.printf(Locale.ROOT, "  x3 layers per stage (22 layers / 8 stages, rounded): F %.1f  B %.1f  W %.1f ms"
          + " (paper, A100 fp16 Megatron: 18.5 / 18.1 / 9.3)%n", 3 * ms[0], 3 * ms[1], 3 * ms[2]);
    }
  }

  /** cuBLAS sgemm TFLOP/s for the four linear layers' F, B and W GEMMs, FP32 then TF32. */
  static void gemms(GptConfig c, int b) {
    int N = b * c.seqLen();
    int C = c.hidden();
    int[][] shapes = {{C, 3 * C}, {C, C}, {C, 4 * C}, {4 * C, C}};
    String[] names = {"qkv", "attn.proj", "mlp.fc", "mlp.proj"};
    try (CudaDevice d = CudaDevice.create(0)) {
      for (boolean tf32 : new boolean[] {false, true}) {
        d.useTf32(tf32);
        for (int i = 0; i < shapes.length; i++) {
          int in = shapes[i][0];
          int oc = shapes[i][1];
          Buf x = d.alloc(N * in);
          Buf w = d.alloc(oc * in);
          Buf y = d.alloc(N * oc);
          Buf dx = d.alloc(N * in);
          double flop = 2.0 * N * in * oc;
          double f = tflops(d, flop, () -> d.matmulForward(y, x, w, null, N, in, oc));
          double bb = tflops(d, flop, () -> d.matmulBackwardInput(dx, y, w, N, in, oc));
          double ww = tflops(d, flop, () -> d.matmulBackwardWeight(w, null, y, x, N, in, oc));
          System.out.printf(Locale.ROOT, "GEMM %-4s %-9s N=%d C=%d OC=%d: F %.1f  B %.1f  W %.1f TFLOP/s%n",
              tf32 ? "TF32" : "FP32", names[i], N, in, oc, f, bb, ww);
          for (Buf buf : new Buf[] {x, w, y, dx}) {
            d.free(buf);
          }
        }
      }
    }
  }

  private static double tflops(CudaDevice d, double flop, Runnable op) {
    op.run();
    d.synchronize();
    int n = 20;
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      op.run();
    }
    d.synchronize();
    return flop * n / ((System.nanoTime() - t0) / 1e9) / 1e12;
  }
}
