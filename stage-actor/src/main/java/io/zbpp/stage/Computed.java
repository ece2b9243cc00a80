package io.zbpp.stage;

import io.zbpp.gpu.pipeline.HostTensor;

/**
 * The result of one op run on the stage's executor.
 *
 * @param output the tensor F or B produced for a neighbouring chunk, or null
 * @param loss the loss a LOSS op read (NaN otherwise)
 * @param bytesHeld the bytes all of the stage's chunks hold after the op
 * @param rejected VALIDATE, SEND_FULL: the full state rejects a plain step (skip or clip; post-validation)
 * @param cpuNanos the executor thread's CPU time during the op, or {@code PassRecord.NO_CPU_TIME}
 */
record Computed(HostTensor output, double loss, long startNanos, long endNanos, long bytesHeld, boolean rejected,
    long cpuNanos) {
  Computed(HostTensor output, double loss, long startNanos, long endNanos, long bytesHeld) {
    this(output, loss, startNanos, endNanos, bytesHeld, false);
  }

  Computed(HostTensor output, double loss, long startNanos, long endNanos, long bytesHeld, boolean rejected) {
    this(output, loss, startNanos, endNanos, bytesHeld, rejected, io.zbpp.protocol.msg.PassRecord.NO_CPU_TIME);
  }
}
