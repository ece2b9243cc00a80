package io.zbpp.protocol.msg;

/** Coordinator → client, after every iteration: its result, and how many iterations the job runs. */
public record JobProgress(JobEpoch job, int iterations, IterationResult result) implements JobEvent {}
