package io.zbpp.cli;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.gpu.pipeline.ChunkRunnerFactory;
import io.zbpp.gpu.pipeline.ReferenceTrainer;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.protocol.msg.ModelSpec;
import io.zbpp.stage.ModelChunks;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.runtime.EmulatedBackend;
import io.zbpp.runtime.LocalTraining;
import io.zbpp.runtime.TrainSpec;
import io.zbpp.schedule.Placement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A training job as {@code zbpp train} and {@code zbpp demo} run it: the runtime's {@link TrainSpec} and the
 * model's {@link RunnerSpec} (preset, backend, seed, microbatch size, p·v chunks). The static helpers check
 * user input at the edge and answer with one-line {@link UsageException}s, before any actor starts.
 */
record TrainJob(TrainSpec spec, RunnerSpec runner) {
  /** The backends by CLI name. */
  static final List<String> BACKENDS = List.of("cpu", "cuda", "emulated");

  /** The backend of that name (case-insensitive). */
  static Backend backend(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "cpu" -> Backend.CPU;
      case "cuda" -> Backend.CUDA;
      case "emulated" -> Backend.EMULATED;
      default -> throw new UsageException(
          "--backend [" + name + "]: unknown; expected one of " + String.join(", ", BACKENDS));
    };
  }

  /** The gpu-ops model preset of that name (case-insensitive). */
  static GptConfig model(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    if (!GptConfig.presetNames().contains(key)) {
      throw new UsageException("--model [" + name + "]: unknown preset; expected one of "
          + String.join(", ", GptConfig.presetNames()));
    }
    return GptConfig.preset(key);
  }

  /** The presets small enough to compute on the cpu backend; the others are the paper's shapes. */
  static final List<String> CPU_PRESETS = List.of("tiny", "small");

  /**
   * Rejects the paper's model shapes on the cpu backend: their parameters alone exceed a workstation's memory.
   */
  static void checkPresetFitsBackend(GptConfig model, Backend backend, String name) {
    if (backend == Backend.CPU && !CPU_PRESETS.contains(model.name())) {
      throw new UsageException("--model [" + name + "]: the paper's model shapes are for --backend emulated (or "
          + "cuda on a GPU node); on cpu use " + String.join(" or ", CPU_PRESETS));
    }
  }

  /**
   * Bytes the cpu backend needs at most for one iteration, estimated: parameters, gradients and the two AdamW
   * moments (16 bytes per parameter) plus every one of the m microbatches' activations held at once (the
   * worst case, GPipe): per layer docs/design.md §2's M_B = s·b·(34h + 5as) at fp16, doubled for fp32. In double:
   * a huge b must not overflow.
   */
  static double estimatedBytes(GptConfig model, int microbatches, int microbatchSize) {
    double perLayer = 2.0 * model.seqLen() * microbatchSize
        * (34.0 * model.hidden() + 5.0 * model.heads() * model.seqLen());
    return 16.0 * model.totalParams() + (double) microbatches * model.layers() * perLayer;
  }

  /**
   * Rejects a microbatch size whose estimated memory ({@link #estimatedBytes}) exceeds {@code maxHeapBytes}
   * (the JVM's {@code Runtime.maxMemory()}) on the cpu backend; the emulated backend holds no activations and
   * cuda holds them on the GPU.
   */
  static void checkFitsHeap(GptConfig model, Backend backend, int microbatches, int microbatchSize,
      long maxHeapBytes) {
    double need = estimatedBytes(model, microbatches, microbatchSize);
    if (backend == Backend.CPU && need > maxHeapBytes) {
      throw new UsageException(String.format(Locale.ROOT, "--microbatch-size [%d]: %d microbatches of %d "
          + "sequences need about %s, the JVM heap is %s; use a smaller --microbatch-size or raise the heap "
          + "(ZBPP_JAVA_OPTS=-Xmx...)", microbatchSize, microbatches, microbatchSize, mib(need), mib(maxHeapBytes)));
    }
  }

  private static String mib(double bytes) {
    return String.format(Locale.ROOT, "%.0f MiB", bytes / (1 << 20));
  }

  /** The transformer shape the coordinator's cost model is estimated from (docs/design.md §2). */
  static ModelShape shape(GptConfig c, int microbatchSize) {
    return new ModelShape(c.layers(), c.hidden(), c.heads(), c.seqLen(), microbatchSize);
  }

  /**
   * The model's runner spec for p·v chunks.
   *
   * @throws UsageException when the model cannot be cut into that many chunks or a value is out of range
   */
  static RunnerSpec runner(GptConfig model, Backend backend, long seed, int microbatches, int microbatchSize,
      int stages, int chunksPerStage) {
    long chunks = (long) stages * chunksPerStage;
    if (chunksPerStage > 1 && stages <= model.layers() && chunks > model.layers()) {
      throw new UsageException("--chunks [" + chunksPerStage + "]: " + stages + " stages × " + chunksPerStage
          + " chunks need " + chunks + " model chunks, the model has " + model.layers() + " layers (expected "
          + "--chunks <= " + model.layers() / stages + ")");
    }
    if (chunks > model.layers()) {
      throw new UsageException("--stages [" + stages + "]: " + stages + " stages × " + chunksPerStage
          + " chunks need " + chunks + " model chunks, the model has " + model.layers() + " layers");
    }
    if (microbatchSize < 1) {
      throw new UsageException("--microbatch-size [" + microbatchSize + "]: must be at least 1");
    }
    try {
      return RunnerSpec.of(model.name(), backend, seed, microbatches, microbatchSize, (int) chunks);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /**
   * The checks that need no planning (shape, chunks, optimizer options); the coordinator plans the job once and
   * answers a memory limit it cannot keep, which {@link TrainRunner#pipeline} reports the same way.
   */
  static void validate(TrainSpec spec) {
    try {
      LocalTraining.validate(spec);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage().lines().findFirst().orElse("bad input"));
    }
  }

  /**
   * The model the stages build: the runner's preset on cpu or cuda, or gpu-ops' emulated runners sleeping the
   * spec's pass times (ms per stage).
   */
  static ModelSpec modelSpec(RunnerSpec runner, TrainSpec spec) {
    return switch (runner.backend()) {
      case EMULATED -> EmulatedBackend.model(runner, spec.costF(), spec.costB(), spec.costW());
      case CPU, CUDA -> ModelChunks.specOf(runner);
    };
  }

  /** The chunks of this job's model built in this JVM (for a tap on the runners, e.g. the demo's sampler). */
  IntFunction<ChunkRunner> localChunks() {
    return c -> ChunkRunnerFactory.create(runner, c);
  }

  /**
   * The reference trainer's check, from the spec's optimizer options: always checked (NaN/INF skip), clipped at
   * {@code --clip-norm}, and {@code --inject-nan IT:STAGE} poisoning the chunks that stage holds under
   * {@code Placement.single(p)} (v = 1) or {@code Placement.interleaved(p, v)}. A NaN in any chunk skips the
   * step of every chunk, so the result does not depend on which chunks those are.
   */
  ReferenceTrainer.Options referenceOptions() {
    OptimizerOptions o = spec.optimizer();
    ReferenceTrainer.Options options = ReferenceTrainer.Options.clip(o.clipNorm());
    if (o.injectNanIteration() < 0) {
      return options;
    }
    int v = spec.chunksPerStage();
    Placement placement = v == 1 ? Placement.single(spec.stages()) : Placement.interleaved(spec.stages(), v);
    return options.injectNan(o.injectNanIteration(), IntStream.range(0, placement.chunks())
        .filter(c -> placement.stageOf(c) == o.injectNanStage()).boxed().collect(Collectors.toSet()));
  }

  /** Times × {@code scale}, one value per stage as the spec takes them. */
  static List<Double> scaled(double[] perStage, double scale) {
    return Arrays.stream(perStage).map(t -> t * scale).boxed().toList();
  }
}
