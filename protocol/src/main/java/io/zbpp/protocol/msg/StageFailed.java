package io.zbpp.protocol.msg;

/**
 * Stage → coordinator: an op threw (or its chunks could not be built); the stage runs nothing more of this epoch.
 *
 * @param program the stage's whole program, one op per line, the failing op marked with {@code <-- failed}
 *     (as {@link StageProgram#listing(int)} prints it); empty when no op was running
 */
public record StageFailed(JobEpoch job, int stage, String message, String program)
    implements CoordinatorCommand, WireMessage {}
