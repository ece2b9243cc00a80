package io.zbpp.protocol.msg;

import java.util.List;

/**
 * Stage → whoever sent {@link SnapshotStage}: the state of every chunk the stage holds, in chunk order. Restoring
 * it ({@link RestoreStage}) into a stage that loaded the same chunks of the same model, then running the next
 * iterations, gives the parameters an uninterrupted run gives, bit for bit on the cpu backend. One message: meant
 * for models whose state fits one transport message (in one JVM: any size).
 */
public record StageSnapshot(JobEpoch job, int stage, List<ChunkState> chunks) implements WireMessage {
  public StageSnapshot {
    chunks = List.copyOf(chunks);
  }
}
