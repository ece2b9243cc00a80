package io.zbpp.protocol.msg;

import java.util.Objects;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Client → coordinator: run a job and answer with its {@link JobOutcome}; when {@code progress} is given,
 * send it {@link JobStarted} once the plan and the stages are chosen, then a {@link JobProgress} after every
 * iteration.
 */
public record SubmitJob(ResolvedJob spec, ActorRef<JobOutcome> replyTo, Optional<ActorRef<JobEvent>> progress)
    implements CoordinatorCommand, WireMessage {
  public SubmitJob {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(replyTo, "replyTo");
    Objects.requireNonNull(progress, "progress");
  }

  /** A submission without progress reports. */
  public SubmitJob(ResolvedJob spec, ActorRef<JobOutcome> replyTo) {
    this(spec, replyTo, Optional.empty());
  }
}
