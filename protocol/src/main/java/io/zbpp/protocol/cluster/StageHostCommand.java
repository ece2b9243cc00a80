package io.zbpp.protocol.cluster;

/**
 * What a worker's stage host accepts: {@link DescribeHost} and {@link SpawnStages}. Hosts register with the
 * Receptionist under {@link StageHosts#KEY}; a coordinator finds them there.
 */
public sealed interface StageHostCommand extends ClusterMessage permits DescribeHost, SpawnStages {}
