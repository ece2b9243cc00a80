package io.zbpp.protocol.msg;

/**
 * When a compute pass ran on its stage: {@link System#nanoTime()} at its start and end, read on the stage's
 * executor. Only differences within one stage are meaningful across processes.
 */
public record PassRecord(ProgramOp op, int microbatch, int chunk, long startNanos, long endNanos) {
  public long nanos() {
    return endNanos - startNanos;
  }
}
