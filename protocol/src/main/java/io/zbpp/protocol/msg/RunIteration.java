package io.zbpp.protocol.msg;

/** Coordinator → stage: run the loaded program once as iteration {@code iteration} (0-based). */
public record RunIteration(JobEpoch job, int iteration) implements StageCommand, WireMessage {}
