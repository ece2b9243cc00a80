package io.zbpp.protocol.msg;

/**
 * Coordinator → client, when a recovery's replay starts (docs/faults.md "Recovery protocol"): the job lost
 * {@code fault} (its first line) and goes on from iteration {@code fromIteration} (its recovery point).
 */
public record JobRecovered(JobEpoch job, int fromIteration, String fault) implements JobEvent {}
