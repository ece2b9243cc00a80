package io.zbpp.protocol.msg;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Stage → coordinator, the answer to {@link FetchParameters}: the digest of this stage's shard of the model
 * instead of its parameters. For each chunk it holds, the SHA-256 of each parameter tensor (float32
 * little-endian, in model order), given as the hex of those 32-byte digests concatenated. The coordinator
 * concatenates all chunks' in chunk order and hashes that (docs/runtime.md "Parameter digest"); the digest
 * does not depend on how the layers are cut into chunks.
 *
 * @param chunkTensorSha256 by chunk: hex of the tensors' SHA-256s concatenated (64 hex digits per tensor)
 * @param optimizer what the stage's optimizer check did over the job
 */
public record ShardDigest(JobEpoch job, int stage, Map<Integer, String> chunkTensorSha256, OptimizerStats optimizer)
    implements CoordinatorCommand, WireMessage {
  public ShardDigest {
    Objects.requireNonNull(optimizer, "optimizer");
    chunkTensorSha256 = Collections.unmodifiableMap(new TreeMap<>(chunkTensorSha256));
  }
}
