package io.zbpp.protocol.msg;

/** Coordinator → stage: the job is over; release the chunks and stop. */
public record StopStage(JobEpoch job) implements StageCommand, WireMessage {}
