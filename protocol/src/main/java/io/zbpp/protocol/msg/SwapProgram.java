package io.zbpp.protocol.msg;

/**
 * Coordinator → stage, between iterations: run {@code program} from the next iteration on instead of the loaded
 * one (re-planning, docs/replan.md). Parameters, optimizer state, buffered tensors and data links are kept; the
 * program must be for the same stage and chunks. Sent only when the stage has reported every iteration it was
 * given (it is idle); a stage in an iteration rejects it. Answered {@link ProgramSwapped}.
 */
public record SwapProgram(JobEpoch job, StageProgram program) implements StageCommand, WireMessage {}
