package io.zbpp.protocol.msg;

/**
 * Stage → coordinator: a command was not executed (stale epoch, another job, or not valid in the stage's
 * state). {@code job} is the job of the rejected command.
 */
public record CommandRejected(JobEpoch job, int stage, String reason) implements CoordinatorCommand, WireMessage {}
