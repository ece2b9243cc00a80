package io.zbpp.protocol.msg;

/**
 * What a job did about checkpoints (docs/faults.md "Checkpoints").
 *
 * @param written checkpoints that exist (every shard and the manifest written)
 * @param failed checkpoints given up because a shard or the manifest could not be written
 * @param bytes the bytes of the written checkpoints' shards
 * @param seconds the background writes' time: per checkpoint the slowest stage's, summed
 * @param resumedFrom the checkpoint the job started from (the iterations it covered), or −1
 * @param pauseSeconds how long the in-memory copies held up the stages: per checkpoint the longest, summed
 */
public record CheckpointStats(int written, int failed, long bytes, double seconds, int resumedFrom,
    double pauseSeconds) {
  public static CheckpointStats none() {
    return new CheckpointStats(0, 0, 0, 0, -1, 0);
  }
}
