package io.zbpp.protocol.msg;

/** Stage → whoever sent {@link RestoreStage}: its chunks hold the restored state. */
public record StageRestored(JobEpoch job, int stage) implements WireMessage {}
