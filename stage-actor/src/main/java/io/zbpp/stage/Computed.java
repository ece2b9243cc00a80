package io.zbpp.stage;

import io.zbpp.gpu.pipeline.HostTensor;

/**
 * The result of one op run on the stage's executor.
 *
 * @param output the tensor F or B produced for a neighbouring chunk, or null
 * @param loss the loss a LOSS op read (NaN otherwise)
 * @param bytesHeld the bytes all of the stage's chunks hold after the op
 */
record Computed(HostTensor output, double loss, long startNanos, long endNanos, long bytesHeld) {}
