package io.zbpp.protocol.msg;

/**
 * When a compute pass ran on its stage: {@link System#nanoTime()} at its start and end, read on the stage's
 * executor and put on the wall clock with {@link PassClock#of}, so that passes of stages in different JVMs on one
 * host compare (to a few microseconds) as well as passes of one stage do.
 *
 * @param cpuNanos CPU time the executor thread got during the pass (the thread's CPU clock), or
 *     {@link #NO_CPU_TIME} when it was not measured; wall time minus CPU time is time the pass waited for a core
 *     (or slept, on the emulated backend)
 */
public record PassRecord(ProgramOp op, int microbatch, int chunk, long startNanos, long endNanos, long cpuNanos) {
  /** {@link #cpuNanos} of a pass whose CPU time was not measured. */
  public static final long NO_CPU_TIME = -1;

  /** A pass without a CPU-time measurement. */
  public PassRecord(ProgramOp op, int microbatch, int chunk, long startNanos, long endNanos) {
    this(op, microbatch, chunk, startNanos, endNanos, NO_CPU_TIME);
  }

  public long nanos() {
    return endNanos - startNanos;
  }
}
