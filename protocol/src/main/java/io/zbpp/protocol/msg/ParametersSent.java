package io.zbpp.protocol.msg;

/** Stage → coordinator after answering {@link FetchParameters}: how many frames it sent. */
public record ParametersSent(JobEpoch job, int stage, int frames) implements CoordinatorCommand, WireMessage {}
