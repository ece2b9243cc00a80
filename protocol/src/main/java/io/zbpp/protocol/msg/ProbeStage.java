package io.zbpp.protocol.msg;

/**
 * Coordinator → stage: the iteration watchdog fired; the stage answers {@link StageBlocked} from its actor thread
 * (so it answers even while its executor hangs in a pass).
 */
public record ProbeStage(JobEpoch job) implements StageCommand, WireMessage {}
