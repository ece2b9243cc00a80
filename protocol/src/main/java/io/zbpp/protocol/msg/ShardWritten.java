package io.zbpp.protocol.msg;

import java.util.List;
import java.util.Objects;

/**
 * Stage → coordinator, the answer to {@link TakeCheckpoint}: the shard {@code file} of checkpoint
 * {@code iteration} is on disk with this SHA-256 (hex) and size, holding {@code chunks}; {@code seconds} is how
 * long the copy and the background write took, {@code pauseSeconds} how long the copy held up the stage. A non-empty
 * {@code error} says why the shard was not written (then the checkpoint does not exist).
 */
public record ShardWritten(JobEpoch job, int stage, int iteration, String file, String sha256, long bytes,
    List<Integer> chunks, double seconds, double pauseSeconds, String error)
    implements CoordinatorCommand, WireMessage {
  public ShardWritten {
    Objects.requireNonNull(job, "job");
    chunks = List.copyOf(chunks);
  }

  public boolean ok() {
    return error.isEmpty();
  }
}
