package io.zbpp.protocol.serialization;

import com.google.protobuf.InvalidProtocolBufferException;
import io.zbpp.protocol.Wire;
import io.zbpp.protocol.checkpoint.StageShard;
import io.zbpp.protocol.msg.ChunkState;
import io.zbpp.protocol.msg.ModelSpec;
import io.zbpp.protocol.msg.OptimizerOptions;
import java.util.List;

/** Checkpoint bytes: a stage's shard ({@link StageShard}) and the model and optimizer a manifest records. */
public final class ShardCodec {
  /** The shard and manifest format this version writes and reads. */
  public static final int FORMAT_VERSION = 1;

  private ShardCodec() {}

  /** A decoded shard. */
  public record Shard(int stage, int iteration, List<ChunkState> chunks) {
    public Shard {
      chunks = List.copyOf(chunks);
    }
  }

  public static byte[] encode(Shard s) {
    return StageShard.newBuilder().setFormatVersion(FORMAT_VERSION).setStage(s.stage()).setIteration(s.iteration())
        .addAllChunks(s.chunks().stream().map(WireModel::chunk).toList()).build().toByteArray();
  }

  /** @throws IllegalArgumentException when the bytes are no shard of this format */
  public static Shard decode(byte[] bytes) {
    StageShard s;
    try {
      s = StageShard.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a stage shard: " + e.getMessage(), e);
    }
    if (s.getFormatVersion() != FORMAT_VERSION) {
      throw new IllegalArgumentException("shard format " + s.getFormatVersion() + ", expected " + FORMAT_VERSION);
    }
    return new Shard(s.getStage(), s.getIteration(), s.getChunksList().stream().map(WireModel::chunk).toList());
  }

  public static Wire.ModelSpec model(ModelSpec m) {
    return WireModel.model(m);
  }

  public static Wire.OptimizerOptions optimizer(OptimizerOptions o) {
    return WireValues.optimizer(o);
  }
}
