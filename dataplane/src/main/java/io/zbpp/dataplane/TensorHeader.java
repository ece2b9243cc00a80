package io.zbpp.dataplane;

import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.TensorKey;
import java.util.List;
import java.util.Objects;

/**
 * What travels in front of a tensor's bytes: the job incarnation, the tensor's key and its shape (float32,
 * row-major, little-endian values). {@link TensorInbox} files tensors by {@code (job, key)}; a receiver drops
 * tensors of a stale {@link JobEpoch} the same way it drops stale control messages.
 */
public record TensorHeader(JobEpoch job, TensorKey key, List<Integer> shape) {
  public TensorHeader {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(key, "key");
    shape = List.copyOf(shape);
  }

  /** The number of payload bytes the shape implies (4 per float32 value). */
  public long expectedBytes() {
    long n = 4;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }
}
