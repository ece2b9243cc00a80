package io.zbpp.protocol.msg;

/**
 * Stage → whoever sent {@link RestoreStage} (or → the coordinator, after {@link RestoreCheckpoint}): its chunks
 * hold the restored state.
 */
public record StageRestored(JobEpoch job, int stage) implements CoordinatorCommand, WireMessage {}
