package io.zbpp.protocol.msg;

/**
 * Coordinator → stage: send every parameter of every chunk held, as {@link TensorFrame}s of kind PARAMETER,
 * then {@link ParametersSent}.
 */
public record FetchParameters(JobEpoch job) implements StageCommand, WireMessage {}
