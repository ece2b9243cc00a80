package io.zbpp.runtime;

import com.typesafe.config.ConfigFactory;
import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.gpu.pipeline.HostTensor;
import io.zbpp.schedule.Placement;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * An emulated model chunk for timing the runtime: each pass parks its thread for the pass's time (T/v of a
 * stage pass) and passes a small tensor on, so the schedule, the messages and the executors are real and the
 * compute is not. Parking overshoots by a roughly constant amount; {@link #calibrate()} measures it once and
 * every pass parks that much less, so measured pass times match the requested ones on average.
 */
public final class SleepingChunkRunner implements ChunkRunner {
  private boolean poisoned;
  private static volatile long overshootNanos;
  private final int chunk;
  private final int chunks;
  private final long fNanos;
  private final long bNanos;
  private final long wNanos;
  private final int payloadFloats;

  /**
   * @param fNanos time of one F on this chunk (T_F of the stage divided by v); likewise B and W
   * @param payloadFloats size of the activation and gradient it sends on
   */
  public SleepingChunkRunner(int chunk, int chunks, long fNanos, long bNanos, long wNanos, int payloadFloats) {
    this.chunk = chunk;
    this.chunks = chunks;
    this.fNanos = fNanos;
    this.bNanos = bNanos;
    this.wNanos = wNanos;
    this.payloadFloats = payloadFloats;
  }

  /**
   * The emulated backend of a spec: chunk c sleeps its stage's profiled T_F, T_B, T_W (ms, as given in the
   * spec, already time-scaled) divided by v, on the stage the planned placement puts it on.
   *
   * @throws IllegalArgumentException when the spec has no profiled times or does not plan
   */
  public static IntFunction<ChunkRunner> emulating(TrainSpec spec, int payloadFloats) {
    if (spec.costF().isEmpty()) {
      throw new IllegalArgumentException("--backend emulated: needs pass times (--cost-f, --cost-b, --cost-w)");
    }
    Placement placement = JobPlanner.plan(spec.withConfiguredFrameBytes(ConfigFactory.load()).toJobSpec("emulated"))
        .compiled().plan().placement();
    int v = placement.chunksPerStage();
    return c -> {
      int s = placement.stageOf(c);
      return new SleepingChunkRunner(c, placement.chunks(), nanos(pick(spec.costF(), s) / v),
          nanos(pick(spec.costB(), s) / v), nanos(pick(spec.costW(), s) / v), payloadFloats);
    };
  }

  private static double pick(List<Double> perStage, int stage) {
    return perStage.size() == 1 ? perStage.get(0) : perStage.get(stage);
  }

  private static long nanos(double ms) {
    return Math.round(ms * 1e6);
  }

  /**
   * Measures the median overshoot of parking for 1 ms (the median, because a loaded machine adds rare long
   * delays that no compensation can undo); returns it in nanoseconds.
   */
  public static long calibrate() {
    overshootNanos = 0;
    int n = 201;
    long[] over = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      park(1_000_000);
      over[i] = System.nanoTime() - t0 - 1_000_000;
    }
    java.util.Arrays.sort(over);
    overshootNanos = Math.max(0, over[n / 2]);
    return overshootNanos;
  }

  private static void park(long nanos) {
    long end = System.nanoTime() + Math.max(0, nanos - overshootNanos);
    long left;
    while ((left = end - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }

  private HostTensor payload() {
    return new HostTensor(new int[] {payloadFloats}, new float[payloadFloats]);
  }

  @Override
  public int chunk() {
    return chunk;
  }

  @Override
  public HostTensor forward(int iteration, int microbatch, HostTensor input) {
    park(fNanos);
    return chunk < chunks - 1 ? payload() : null;
  }

  @Override
  public HostTensor backwardInput(int microbatch, HostTensor gradOutput) {
    park(bNanos);
    return chunk > 0 ? payload() : null;
  }

  @Override
  public void backwardWeight(int microbatch) {
    park(wNanos);
  }

  @Override
  public double loss(int microbatch) {
    return 0;
  }

  @Override
  public void step(int iteration) {
    poisoned = false;
  }

  /** No parameters: the post-validation step costs nothing; a poisoned gradient reads as NaN until zeroed. */
  @Override
  public void stepScaled(int iteration, float gradScale) {}

  @Override
  public void zeroGradients() {
    poisoned = false;
  }

  @Override
  public long keepForRollback(io.zbpp.gpu.optim.RollbackMode mode) {
    return 0;
  }

  @Override
  public void rollbackStep() {}

  @Override
  public void discardForwards() {}

  @Override
  public void poisonGradients() {
    poisoned = true;
  }

  @Override
  public double gradNormSquared() {
    return poisoned ? Double.NaN : 0.0;
  }

  @Override
  public long bytesHeld() {
    return 0;
  }

  @Override
  public List<float[]> parameters() {
    return List.of();
  }

  @Override
  public void close() {}
}
