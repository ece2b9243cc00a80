package io.zbpp.protocol.msg;

import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * → stage, after {@link LoadProgram} and before its first iteration (or between iterations): overwrite the
 * state of the chunks in {@code chunks} (each must be held here) and answer {@code replyTo} with
 * {@link StageRestored}; a chunk that is not held, or a tensor of the wrong size, fails the stage.
 */
public record RestoreStage(JobEpoch job, List<ChunkState> chunks, ActorRef<StageRestored> replyTo)
    implements StageCommand, WireMessage {
  public RestoreStage {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(replyTo, "replyTo");
    chunks = List.copyOf(chunks);
  }
}
