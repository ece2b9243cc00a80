package io.zbpp.runtime;

import io.zbpp.protocol.msg.ParameterSha256;
import io.zbpp.protocol.msg.ShardDigest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Combines the stages' {@link ShardDigest}s into the job's {@code paramsSha256}: each stage hashed the tensors of
 * its own chunks; this concatenates the shards in chunk (model) order and hashes once
 * ({@link ParameterSha256}, docs/runtime.md "Parameter digest"). No parameter crosses to the coordinator.
 */
public final class ParameterDigest {
  private final TreeMap<Integer, String> byChunk = new TreeMap<>();
  private final TreeMap<Integer, ShardDigest> byStage = new TreeMap<>();
  private final int stages;
  private final int chunks;

  public ParameterDigest(int stages, int chunks) {
    this.stages = stages;
    this.chunks = chunks;
  }

  /** A stage's shard; a second one from the same stage replaces the first. */
  public void add(ShardDigest d) {
    byStage.put(d.stage(), d);
    byChunk.putAll(d.chunkTensorSha256());
  }

  /** Whether every stage reported and every chunk is covered. */
  public boolean complete() {
    return byStage.size() == stages && byChunk.size() == chunks;
  }

  /** The shards received, by stage. */
  public Map<Integer, ShardDigest> shards() {
    return java.util.Collections.unmodifiableMap(byStage);
  }

  /** The hex digest of all parameters in model order. */
  public String sha256() {
    if (!complete()) {
      throw new IllegalStateException("digest of " + byChunk.size() + " of " + chunks + " chunks");
    }
    return ParameterSha256.combine(byChunk.values());
  }

  /** The same digest over parameters held locally (chunks in model order): what a reference run reports. */
  public static String sha256(List<? extends List<float[]>> chunksInOrder) {
    return ParameterSha256.of(chunksInOrder);
  }
}
