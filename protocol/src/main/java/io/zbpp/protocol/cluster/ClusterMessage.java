package io.zbpp.protocol.cluster;

/**
 * Marker of the placement messages between a coordinator's provisioner and the workers' stage hosts. The
 * protocol module's {@code reference.conf} binds it to {@link io.zbpp.protocol.serialization.ClusterSerializer} (protobuf, {@code
 * cluster.proto}).
 */
public interface ClusterMessage {}
