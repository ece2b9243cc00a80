package io.zbpp.protocol.msg;

/** The job was rejected or a stage failed; {@code message} says why. */
public record JobFailed(JobEpoch job, String message) implements JobOutcome {}
