package io.zbpp.protocol.msg;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a float32 tensor into {@link TensorFrame}s of at most {@code frameBytes} data bytes each (rounded
 * down to whole floats), so that no message exceeds the transport's frame (Artery drops messages over
 * {@code maximum-frame-size}, 256 KiB by default). A tensor of n floats travels as ⌈4n / frameBytes⌉ frames, at least one.
 */
public final class TensorFrames {
  /** The default budget: well under Artery's 256 KiB frame, leaving room for the envelope. */
  public static final int DEFAULT_FRAME_BYTES = 192 * 1024;

  private TensorFrames() {}

  public static List<TensorFrame> split(JobEpoch job, TensorKey key, int[] shape, float[] data, int frameBytes) {
    if (frameBytes < 4) {
      throw new IllegalArgumentException("frame-bytes [" + frameBytes + "]: must be at least 4");
    }
    int perFrame = frameBytes / 4;
    int parts = Math.max(1, (data.length + perFrame - 1) / perFrame);
    List<Integer> dims = new ArrayList<>(shape.length);
    for (int d : shape) {
      dims.add(d);
    }
    List<TensorFrame> frames = new ArrayList<>(parts);
    for (int part = 0; part < parts; part++) {
      int from = part * perFrame;
      int to = Math.min(data.length, from + perFrame);
      frames.add(new TensorFrame(job, key, part, parts, dims, toBytes(data, from, to)));
    }
    return frames;
  }

  /** Little-endian float32 bytes of {@code data[from, to)}. */
  public static ByteString toBytes(float[] data, int from, int to) {
    ByteBuffer buf = ByteBuffer.allocate(4 * (to - from)).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(data, from, to - from);
    return ByteString.copyFrom(buf.array());
  }

  /** Decodes little-endian float32 bytes into {@code dest} from {@code offset}; returns the count. */
  static int readFloats(ByteString bytes, float[] dest, int offset) {
    if (bytes.size() % 4 != 0) {
      throw new IllegalArgumentException("tensor frame of " + bytes.size() + " bytes: not whole float32 values");
    }
    int n = bytes.size() / 4;
    bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dest, offset, n);
    return n;
  }
}
