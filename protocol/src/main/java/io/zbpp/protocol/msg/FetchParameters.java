package io.zbpp.protocol.msg;

/**
 * Coordinator → stage, after the last iteration: finish the optimizer check and answer with the
 * {@link ShardDigest} of the parameters this stage holds (the parameters themselves stay on the stage).
 */
public record FetchParameters(JobEpoch job) implements StageCommand, WireMessage {}
