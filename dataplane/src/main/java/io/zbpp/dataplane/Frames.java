package io.zbpp.dataplane;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.zbpp.protocol.JobKey;
import io.zbpp.protocol.Wire;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.TensorKey;
import io.zbpp.protocol.msg.TensorKind;
import java.nio.charset.StandardCharsets;

/**
 * The data plane's frame format (big-endian lengths; docs/transport.md):
 *
 * <pre>
 * frame  := length:int32 type:uint8 body        length counts type and body
 * HELLO  := credits:int32 idLength:uint16 id    first frame on each side: who I am, how many tensors you may send
 * CREDIT := credits:int32                       the receiver released that many tensors
 * TENSOR := headerLength:int32 header payload   header: protobuf zbpp.TensorFrame without data (part 0 of 1)
 * </pre>
 *
 * The payload is the tensor's bytes, {@code length - 5 - headerLength} of them. Pure functions.
 */
final class Frames {
  static final byte HELLO = 1;
  static final byte CREDIT = 2;
  static final byte TENSOR = 3;
  /** Length and type. */
  static final int PREFIX_BYTES = 5;
  /** Bigger headers or ids are a malformed stream, not a big tensor. */
  static final int MAX_HEADER_BYTES = 64 * 1024;

  private Frames() {}

  static ByteBuf hello(ByteBufAllocator alloc, String id, int credits) {
    byte[] name = id.getBytes(StandardCharsets.UTF_8);
    if (name.length > 0xFFFF) {
      throw new IllegalArgumentException("data plane id of " + name.length + " bytes: at most 65535");
    }
    ByteBuf b = alloc.ioBuffer(PREFIX_BYTES + 6 + name.length);
    b.writeInt(1 + 6 + name.length).writeByte(HELLO).writeInt(credits).writeShort(name.length).writeBytes(name);
    return b;
  }

  static ByteBuf credit(ByteBufAllocator alloc, int credits) {
    return alloc.ioBuffer(PREFIX_BYTES + 4).writeInt(1 + 4).writeByte(CREDIT).writeInt(credits);
  }

  /** The prefix and header of a TENSOR frame; the payload follows as its own buffer. */
  static ByteBuf tensorHead(ByteBufAllocator alloc, TensorHeader h, int payloadBytes) {
    byte[] header = header(h).toByteArray();
    long length = 1L + 4 + header.length + payloadBytes;
    if (length > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor " + h.key() + " of " + payloadBytes + " bytes: a frame holds "
          + "less than 2 GiB");
    }
    ByteBuf b = alloc.ioBuffer(PREFIX_BYTES + 4 + header.length);
    return b.writeInt((int) length).writeByte(TENSOR).writeInt(header.length).writeBytes(header);
  }

  static Wire.TensorFrame header(TensorHeader h) {
    TensorKey k = h.key();
    Wire.TensorKey key = Wire.TensorKey.newBuilder().setIteration(k.iteration()).setKind(kind(k.kind()))
        .setMicrobatch(k.microbatch()).setChunk(k.chunk()).setIndex(k.index()).build();
    return Wire.TensorFrame.newBuilder()
        .setJob(JobKey.newBuilder().setJobId(h.job().jobId()).setEpoch(h.job().epoch()))
        .setKey(key).setPart(0).setParts(1).setDtype(Wire.DType.DTYPE_FLOAT32).addAllShape(h.shape()).build();
  }

  static TensorHeader header(byte[] bytes) {
    Wire.TensorFrame f;
    try {
      f = Wire.TensorFrame.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new DataPlaneException("malformed tensor header: " + e.getMessage(), e);
    }
    Wire.TensorKey k = f.getKey();
    TensorKey key = new TensorKey(k.getIteration(), kind(k.getKind()), k.getMicrobatch(), k.getChunk(),
        k.getIndex());
    return new TensorHeader(new JobEpoch(f.getJob().getJobId(), f.getJob().getEpoch()), key, f.getShapeList());
  }

  private static Wire.TensorKind kind(TensorKind k) {
    return switch (k) {
      case ACTIVATION -> Wire.TensorKind.TENSOR_ACTIVATION;
      case GRADIENT -> Wire.TensorKind.TENSOR_GRADIENT;
      case PARAMETER -> Wire.TensorKind.TENSOR_PARAMETER;
    };
  }

  private static TensorKind kind(Wire.TensorKind k) {
    return switch (k) {
      case TENSOR_ACTIVATION -> TensorKind.ACTIVATION;
      case TENSOR_GRADIENT -> TensorKind.GRADIENT;
      case TENSOR_PARAMETER -> TensorKind.PARAMETER;
      case UNRECOGNIZED -> throw new DataPlaneException("tensor header: unknown tensor kind");
    };
  }
}
