package io.zbpp.cli;

import io.zbpp.gpu.bench.GpuOpsBench;
import io.zbpp.gpu.cpu.CpuGemm;
import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.PassProfile;
import io.zbpp.gpu.pipeline.RunnerSpec;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zbpp bench ops}: gpu-ops' {@link GpuOpsBench} — samples/s of F, B and W of a model preset on the cpu
 * backend (the whole model as one chunk), the memory each pass adds or frees, and GFLOP/s of our GEMM path
 * against OpenBLAS's own sgemm on every linear layer's three GEMMs.
 */
@Command(name = "ops", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    versionProvider = Version.class,
    description = {"Samples/s of F, B and W on the cpu backend, and our GEMM against OpenBLAS sgemm."})
public final class BenchOpsCommand implements Callable<Integer> {
  /** The most microbatches timed per pass kind. */
  static final int MAX_MICROBATCHES = 10_000;
  /** The most OpenBLAS threads. */
  static final int MAX_BLAS_THREADS = 1024;

  @Option(names = "--model", paramLabel = "PRESET", defaultValue = "small",
      description = "Model preset the cpu backend computes: tiny or small (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--microbatch-size", paramLabel = "B", defaultValue = "8",
      description = "Sequences per microbatch (default: ${DEFAULT-VALUE}).")
  int microbatchSize;

  @Option(names = "--microbatches", paramLabel = "M", defaultValue = "8",
      description = "Microbatches timed per pass kind, 1 to 10000 (default: ${DEFAULT-VALUE}).")
  int microbatches;

  @Option(names = "--blas-threads", paramLabel = "N",
      description = "OpenBLAS threads (default: OPENBLAS_NUM_THREADS, else 1).")
  Integer blasThreads;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    GptConfig c = TrainJob.model(model);
    TrainJob.checkPresetFitsBackend(c, Backend.CPU, model);
    Ranges.count("--microbatch-size", microbatchSize, 1, Integer.MAX_VALUE);
    Ranges.count("--microbatches", microbatches, 1, MAX_MICROBATCHES);
    TrainJob.checkFitsHeap(c, Backend.CPU, microbatches, microbatchSize, Runtime.getRuntime().maxMemory());
    if (blasThreads != null) {
      Ranges.count("--blas-threads", blasThreads, 1, MAX_BLAS_THREADS);
    }
    if (blasThreads != null) {
      CpuGemm.setThreads(blasThreads);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "gpu-ops bench: preset %s (L=%d C=%d NH=%d T=%d), microbatch %d, cpu backend, %d BLAS "
        + "threads%n", c.name(), c.layers(), c.hidden(), c.heads(), c.seqLen(), microbatchSize, CpuGemm.threads());
    for (GpuOpsBench.PassRate r : GpuOpsBench.passRates(c.name(), microbatchSize, microbatches)) {
      out.printf(Locale.ROOT, "  %-2s %8.1f samples/s  (%d microbatches in %.3f s)%n", r.pass(),
          r.samplesPerSecond(), r.microbatches(), r.seconds());
      out.flush();
    }
    PassProfile mem = PassProfile.measure(RunnerSpec.of(c.name(), Backend.CPU, 1, 1, microbatchSize, 1), 1).get(0);
    out.printf(Locale.ROOT, "  memory per microbatch: dM(F) %+,d  dM(B) %+,d  dM(W) %+,d bytes%n", mem.deltaF(),
        mem.deltaB(), mem.deltaW());
    out.printf(Locale.ROOT, "  %-24s %6s %6s %6s %10s %10s %7s%n", "GEMM", "M", "N", "K", "ours GF/s", "sgemm GF/s",
        "ratio");
    for (GpuOpsBench.GemmRate g : GpuOpsBench.gemmRates(c, microbatchSize)) {
      out.printf(Locale.ROOT, "  %-24s %6d %6d %6d %10.1f %10.1f %7.2f%n", g.name(), g.m(), g.n(), g.k(),
          g.oursGflops(), g.blasGflops(), g.oursGflops() / g.blasGflops());
    }
    out.flush();
    return 0;
  }
}
