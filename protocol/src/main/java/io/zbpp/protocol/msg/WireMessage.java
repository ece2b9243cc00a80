package io.zbpp.protocol.msg;

/**
 * Marker of every actor message that may cross a process boundary. {@code reference.conf} of the protocol
 * module binds it to {@link io.zbpp.protocol.serialization.ZbppSerializer}, which maps each record to its
 * protobuf message in {@code runtime.proto}. Local-only messages (an actor's messages to itself) do not
 * implement it.
 */
public interface WireMessage {}
