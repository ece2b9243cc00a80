package io.zbpp.protocol.cluster;

/**
 * What a stage host answers to a provisioner: {@link HostDescribed}, {@link StagesSpawned} or
 * {@link SpawnFailed}. A provisioner's own local messages may implement it too.
 */
public interface ProvisioningEvent {}
