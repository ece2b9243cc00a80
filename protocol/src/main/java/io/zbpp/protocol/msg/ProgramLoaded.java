package io.zbpp.protocol.msg;

import java.util.Objects;
import java.util.Optional;

/**
 * Stage → coordinator: the program of {@code job} is loaded and its chunks are built. {@code data} is where the
 * stage's tensor data plane accepts links; empty when the stage sends tensors as {@link TensorFrame} messages.
 */
public record ProgramLoaded(JobEpoch job, int stage, Optional<DataEndpoint> data)
    implements CoordinatorCommand, WireMessage {
  public ProgramLoaded {
    Objects.requireNonNull(data, "data");
  }

  /** A stage without a data plane. */
  public ProgramLoaded(JobEpoch job, int stage) {
    this(job, stage, Optional.empty());
  }
}
