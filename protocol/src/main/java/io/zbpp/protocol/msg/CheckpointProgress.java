package io.zbpp.protocol.msg;

/**
 * Coordinator → client, once a checkpoint's manifest is committed: checkpoint {@code name} (in directory
 * {@code location}, its shards {@code bytes} long) covers the job's first {@code iteration} iterations.
 */
public record CheckpointProgress(JobEpoch job, int iteration, String name, String location, long bytes)
    implements JobEvent {}
