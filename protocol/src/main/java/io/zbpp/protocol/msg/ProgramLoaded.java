package io.zbpp.protocol.msg;

/** Stage → coordinator: the program of {@code job} is loaded and its chunks are built. */
public record ProgramLoaded(JobEpoch job, int stage) implements CoordinatorCommand, WireMessage {}
