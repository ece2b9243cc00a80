package io.zbpp.runtime;

import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.gpu.pipeline.HostTensor;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * An emulated model chunk for timing the runtime: each pass parks its thread for the pass's time (T/v of a
 * stage pass) and passes a small tensor on, so the schedule, the messages and the executors are real and the
 * compute is not. Parking overshoots by a roughly constant amount; {@link #calibrate()} measures it once and
 * every pass parks that much less, so measured pass times match the requested ones on average.
 */
public final class SleepingChunkRunner implements ChunkRunner {
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
  public void step(int iteration) {}

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
