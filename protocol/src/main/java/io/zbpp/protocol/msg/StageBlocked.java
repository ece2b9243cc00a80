package io.zbpp.protocol.msg;

/**
 * Stage → coordinator, the answer to {@link ProbeStage}: where the stage's program stands.
 *
 * @param iteration the iteration it runs, or −1 between iterations
 * @param program the program, one op per line, the op it waits for or runs marked (as
 *     {@link StageProgram#listing(int, String)} prints it); empty between iterations
 * @param computing the marked op runs on the stage's executor (a pass that does not end) rather than waiting for
 *     a tensor or state
 */
public record StageBlocked(JobEpoch job, int stage, int iteration, String program, boolean computing)
    implements CoordinatorCommand, WireMessage {}
