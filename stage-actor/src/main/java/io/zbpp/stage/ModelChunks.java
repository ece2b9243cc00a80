package io.zbpp.stage;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.device.Devices;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.model.Partition;
import io.zbpp.gpu.optim.AdamWConfig;
import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.gpu.pipeline.ChunkRunnerFactory;
import io.zbpp.gpu.pipeline.EmulatedCosts;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.LoadProgram;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.protocol.msg.ModelSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The default {@link ChunkBuilder}: the chunk of the GPT that {@link LoadProgram#model()} describes, built with
 * gpu-ops ({@link ChunkRunnerFactory}) from nothing but the program. The partition is the model's, or an even
 * split over the program's p·v chunks; m is the program's microbatch count.
 *
 * <p>On the emulated backend chunk c sleeps the model's per-stage pass time of the stage the plan puts it on,
 * divided by v (docs/design.md §2: a stage with v chunks spends T/v per chunk pass), less this host's measured
 * sleep overshoot (measured once per instance, the first time an emulated chunk is built) so that measured
 * passes match the requested times on average. Memory follows the model's shape: F holds M_B per layer of the
 * chunk, B swaps it for M_W until W.
 */
public final class ModelChunks implements ChunkBuilder {
  private long overshootNanos;
  private final int device;
  private final ChunkRunnerFactory.DeviceOpener devices;

  /** A builder on the backend's device 0 that measures this host's sleep overshoot (see {@link #onDevice}). */
  public ModelChunks() {
    this(-1);
  }

  /** A builder on device 0 that takes {@code overshootNanos} as this host's sleep overshoot (tests). */
  ModelChunks(long overshootNanos) {
    this(overshootNanos, 0, Devices::open);
  }

  /** A builder on device {@code device}, opened with {@code devices} (tests watch the index arrive). */
  ModelChunks(long overshootNanos, int device, ChunkRunnerFactory.DeviceOpener devices) {
    this.overshootNanos = overshootNanos;
    this.device = device;
    this.devices = devices;
  }

  /**
   * A builder whose chunks run on device {@code device} of the program's backend: the worker's device index a
   * stage host placed the stage on, which on the cuda backend is the CUDA ordinal (a worker with --devices N
   * runs its i-th stage slot on GPU i).
   */
  public static ModelChunks onDevice(int device) {
    return new ModelChunks(-1, device, Devices::open);
  }

  @Override
  public ChunkRunner build(LoadProgram load, int chunk) {
    return runner(runnerSpec(load.model(), load.microbatches(), load.chunkStage(), load.stages().size()), chunk);
  }

  /** The runner of chunk {@code chunk} of {@code spec} on this builder's device. */
  ChunkRunner runner(RunnerSpec spec, int chunk) {
    return ChunkRunnerFactory.create(spec, chunk, device, devices);
  }

  /** The gpu-ops spec of a program's model: m microbatches, chunk c on stage {@code chunkStage[c]} of p. */
  RunnerSpec runnerSpec(ModelSpec m, int microbatches, List<Integer> chunkStage, int stages) {
    Backend backend = backend(m.backend());
    GptConfig config = m.preset().isEmpty()
        ? new GptConfig("custom", m.shape().layers(), m.shape().hidden(), m.shape().heads(), m.vocab(),
            m.shape().sequenceLength())
        : GptConfig.preset(m.preset());
    int chunks = chunkStage.size();
    Partition partition = m.partition().isEmpty() ? Partition.even(config.layers(), chunks)
        : new Partition(m.partition()).checkFits(config.layers(), chunks);
    ModelSpec.AdamW a = m.adamw();
    RunnerSpec spec = RunnerSpec.of(config, backend, m.seed(), m.dataSeed(), microbatches,
        m.shape().microbatchSize(), partition,
        new AdamWConfig(a.lr(), a.beta1(), a.beta2(), a.eps(), a.weightDecay()));
    return backend == Backend.EMULATED ? spec.withEmulated(emulated(m, chunkStage, stages, spec.emulated())) : spec;
  }

  /**
   * The protocol's description of a gpu-ops model spec, the inverse of what {@link #build} reads: a preset by
   * name (an explicit shape otherwise), its partition, backend, seeds and optimizer. The emulated backend's
   * pass times are added with {@link ModelSpec#withEmulatedTimes}.
   */
  public static ModelSpec specOf(RunnerSpec r) {
    GptConfig c = r.model();
    boolean preset = GptConfig.presetNames().contains(c.name()) && GptConfig.preset(c.name()).equals(c);
    ModelShape shape = preset ? new ModelShape(0, 0, 0, 0, r.microbatchSize())
        : new ModelShape(c.layers(), c.hidden(), c.heads(), c.seqLen(), r.microbatchSize());
    AdamWConfig o = r.optimizer();
    return new ModelSpec(preset ? c.name() : "", shape, preset ? 0 : c.vocab(), r.seed(), r.dataSeed(),
        r.partition().blocks(), r.backend().name().toLowerCase(Locale.ROOT),
        new ModelSpec.AdamW(o.lr(), o.beta1(), o.beta2(), o.eps(), o.weightDecay()), List.of(), List.of(),
        List.of());
  }

  private static Backend backend(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "cpu" -> Backend.CPU;
      case "cuda" -> Backend.CUDA;
      case "emulated" -> Backend.EMULATED;
      default -> throw new IllegalArgumentException("model.backend [" + name + "]: expected cpu, cuda or emulated");
    };
  }

  private EmulatedCosts emulated(ModelSpec m, List<Integer> chunkStage, int stages, EmulatedCosts memory) {
    if (m.emulatedF().isEmpty() || m.emulatedB().isEmpty() || m.emulatedW().isEmpty()) {
      throw new IllegalArgumentException("model.emulatedF [" + m.emulatedF() + "]: the emulated backend needs pass "
          + "times (one value or one per stage for F, B and W)");
    }
    long overshoot = overshootNanos();
    int v = chunkStage.size() / stages;
    List<Duration> f = new ArrayList<>();
    List<Duration> b = new ArrayList<>();
    List<Duration> w = new ArrayList<>();
    for (int c = 0; c < chunkStage.size(); c++) {
      int s = chunkStage.get(c);
      f.add(time(pick(m.emulatedF(), s) / v, overshoot));
      b.add(time(pick(m.emulatedB(), s) / v, overshoot));
      w.add(time(pick(m.emulatedW(), s) / v, overshoot));
    }
    EmulatedCosts costs = new EmulatedCosts(f, b, w, memory.activationBytes(), memory.wStashBytes());
    for (ModelSpec.Slowdown d : m.emulatedSlowdowns()) {
      for (int c = 0; c < chunkStage.size(); c++) {
        if (chunkStage.get(c) == d.stage()) {
          costs = costs.withSlowdown(c, d.factor(), d.iteration());
        }
      }
    }
    return costs;
  }

  private static double pick(List<Double> perStage, int stage) {
    return perStage.size() == 1 ? perStage.get(0) : perStage.get(stage);
  }

  /**
   * A pass's sleep, less the host's overshoot, but never below half the pass: on a loaded host the measured
   * overshoot can exceed short passes, and a pass that does not sleep at all no longer emulates anything.
   */
  private static Duration time(double ms, long overshootNanos) {
    long nanos = Math.round(ms * 1e6);
    return Duration.ofNanos(Math.max(nanos / 2, nanos - overshootNanos));
  }

  /** This host's sleep overshoot, measured on first use (several stages of one host may ask at once). */
  private synchronized long overshootNanos() {
    if (overshootNanos < 0) {
      overshootNanos = measureOvershootNanos();
    }
    return overshootNanos;
  }

  /**
   * The median overshoot of sleeping 1 ms the way the emulated runner sleeps (park until the deadline), in
   * nanoseconds. The median, because a loaded machine adds rare long delays that no compensation can undo.
   */
  public static long measureOvershootNanos() {
    int n = 201;
    long[] over = new long[n];
    for (int i = 0; i < n; i++) {
      long deadline = System.nanoTime() + 1_000_000;
      for (long left = 1_000_000; left > 0; left = deadline - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
      over[i] = System.nanoTime() - deadline;
    }
    Arrays.sort(over);
    return Math.max(0, over[n / 2]);
  }
}
