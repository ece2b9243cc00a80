package io.zbpp.protocol.msg;

import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * → stage, between iterations: answer {@code replyTo} with a {@link StageSnapshot} of every chunk it holds
 * (parameters, AdamW moments, step count). A stage in the middle of an iteration rejects it.
 */
public record SnapshotStage(JobEpoch job, ActorRef<StageSnapshot> replyTo) implements StageCommand, WireMessage {
  public SnapshotStage {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(replyTo, "replyTo");
  }
}
