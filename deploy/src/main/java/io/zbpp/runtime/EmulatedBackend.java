package io.zbpp.runtime;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.ModelSpec;
import io.zbpp.stage.ModelChunks;
import java.util.List;

/**
 * The {@code --backend emulated} model of a job: gpu-ops' emulated runners, whose passes sleep instead of
 * computing, so that a many-stage pipeline of a big model runs on a small machine with real schedules, messages
 * and executors. The stage hosts build them from the {@link ModelSpec} ({@link ModelChunks}): chunk c sleeps
 * the per-stage time of the stage the plan puts it on, divided by v, less the host's measured sleep overshoot.
 */
public final class EmulatedBackend {
  private EmulatedBackend() {}

  /**
   * The model of {@code base} on the emulated backend, passes sleeping T_F, T_B, T_W per stage (ms; one value or
   * one per stage).
   *
   * @throws IllegalArgumentException when no pass times are given
   */
  public static ModelSpec model(RunnerSpec base, List<Double> f, List<Double> b, List<Double> w) {
    if (f.isEmpty() || b.isEmpty() || w.isEmpty()) {
      throw new IllegalArgumentException("--backend emulated: needs pass times (--cost-f, --cost-b, --cost-w)");
    }
    return ModelChunks.specOf(base.withBackend(Backend.EMULATED)).withEmulatedTimes(f, b, w);
  }

  /**
   * Measures the median overshoot of sleeping 1 ms the way the emulated runner sleeps, in nanoseconds (what
   * each stage host measures and compensates for itself; for reports).
   */
  public static long calibrate() {
    return ModelChunks.measureOvershootNanos();
  }
}
