package io.zbpp.runtime;

import com.typesafe.config.ConfigFactory;
import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.gpu.pipeline.ChunkRunnerFactory;
import io.zbpp.gpu.pipeline.EmulatedCosts;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.schedule.Placement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * The {@code --backend emulated} chunks of a job: gpu-ops' emulated runners ({@link EmulatedCosts}), whose
 * passes sleep instead of computing, so that a many-stage pipeline of a big model runs on a small machine
 * with real schedules, messages and executors.
 *
 * <p>Chunk c sleeps the profiled T_F, T_B, T_W of the stage the planned placement puts it on (ms, as the
 * spec gives them, already time-scaled), divided by v (docs/design.md §2: a stage with v chunks spends T/v per
 * chunk pass), less the measured sleep overshoot ({@link #calibrate}) so that measured passes match the
 * requested times on average. Memory follows the model's preset: F holds M_B per layer of the chunk, B swaps
 * it for M_W until W (docs/design.md §2).
 */
public final class EmulatedBackend {
  private static volatile long overshootNanos;

  private EmulatedBackend() {}

  /**
   * The chunk factory for {@code spec} on the model of {@code base} (its partition must have p·v chunks).
   *
   * @throws IllegalArgumentException when the spec has no pass times or does not plan
   */
  public static IntFunction<ChunkRunner> chunks(TrainSpec spec, RunnerSpec base) {
    RunnerSpec emulated = base.withBackend(Backend.EMULATED).withEmulated(costs(spec, base, overshootNanos));
    return c -> ChunkRunnerFactory.create(emulated, c);
  }

  /** The per-chunk costs: the stage's time / v less {@code overshootNanos}, memory from {@code base}. */
  static EmulatedCosts costs(TrainSpec spec, RunnerSpec base, long overshootNanos) {
    if (spec.costF().isEmpty()) {
      throw new IllegalArgumentException("--backend emulated: needs pass times (--cost-f, --cost-b, --cost-w)");
    }
    Placement placement = JobPlanner.plan(spec.withConfiguredFrameBytes(ConfigFactory.load()).toJobSpec("emulated"))
        .compiled().plan().placement();
    int v = placement.chunksPerStage();
    List<Duration> f = new ArrayList<>();
    List<Duration> b = new ArrayList<>();
    List<Duration> w = new ArrayList<>();
    for (int c = 0; c < placement.chunks(); c++) {
      int s = placement.stageOf(c);
      f.add(time(pick(spec.costF(), s) / v, overshootNanos));
      b.add(time(pick(spec.costB(), s) / v, overshootNanos));
      w.add(time(pick(spec.costW(), s) / v, overshootNanos));
    }
    EmulatedCosts memory = base.emulated();
    return new EmulatedCosts(f, b, w, memory.activationBytes(), memory.wStashBytes());
  }

  private static double pick(List<Double> perStage, int stage) {
    return perStage.size() == 1 ? perStage.get(0) : perStage.get(stage);
  }

  private static Duration time(double ms, long overshootNanos) {
    return Duration.ofNanos(Math.max(0, Math.round(ms * 1e6) - overshootNanos));
  }

  /**
   * Measures the median overshoot of sleeping 1 ms the way the emulated runner sleeps (park until the
   * deadline), remembers it for the chunks built afterwards, and returns it in nanoseconds. The median,
   * because a loaded machine adds rare long delays that no compensation can undo.
   */
  public static long calibrate() {
    int n = 201;
    long[] over = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      long deadline = t0 + 1_000_000;
      for (long left = 1_000_000; left > 0; left = deadline - System.nanoTime()) {
        LockSupport.parkNanos(left);
      }
      over[i] = System.nanoTime() - deadline;
    }
    Arrays.sort(over);
    overshootNanos = Math.max(0, over[n / 2]);
    return overshootNanos;
  }
}
