package io.zbpp.protocol.msg;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Objects;

/**
 * One frame of a tensor payload (float32, little-endian, row-major). A tensor whose bytes exceed the
 * transport's frame budget travels as {@code parts} frames {@code 0…parts−1}, in order, each with the full
 * shape; {@link TensorFrames} splits and {@link TensorAssembler} joins. Sent stage→stage (activations,
 * gradients) and stage→coordinator (parameters).
 */
public record TensorFrame(JobEpoch job, TensorKey key, int part, int parts, List<Integer> shape, ByteString data)
    implements StageCommand, CoordinatorCommand, WireMessage {
  public TensorFrame {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(data, "data");
    shape = List.copyOf(shape);
    if (parts < 1 || part < 0 || part >= parts) {
      throw new IllegalArgumentException("frame part " + part + " of " + parts + ": must be 0.." + (parts - 1));
    }
  }
}
