package io.zbpp.protocol.msg;

/** Stage → coordinator: a pass threw; the stage stops running its program. */
public record StageFailed(JobEpoch job, int stage, String message) implements CoordinatorCommand, WireMessage {}
