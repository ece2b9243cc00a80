package io.zbpp.protocol.msg;

/** Stage → coordinator: the {@link SwapProgram} took effect; the next RunIteration runs the new program. */
public record ProgramSwapped(JobEpoch job, int stage) implements CoordinatorCommand, WireMessage {}
