package io.zbpp.dataplane;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.zbpp.protocol.JobKey;
import io.zbpp.protocol.Wire;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.TensorKey;
import io.zbpp.protocol.msg.TensorKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The data plane's frame format, version {@value #VERSION} (big-endian integers; docs/transport.md):
 *
 * <pre>
 * frame  := length:int32 type:uint8 body       length counts type and body
 * HELLO  := version:uint8 credits:int32 idLength:uint16 id
 *                                              first frame on each side: who I am, how many tensors you may send
 * CREDIT := credits:int32                      the receiver released that many tensors
 * ACK    := next:int64                         every tensor frame numbered below next arrived intact
 * RESEND := seq:int64 seen:int64               send tensor frame seq again: it arrived corrupt (seen = seq) or
 *                                              frame seen arrived before it (a gap); seen = -1: not known
 * TENSOR := headerCrc:int32 seq:int64 payloadCrc:int32 headerLength:int32 header payload
 * </pre>
 *
 * {@code seq} numbers a link's tensor frames in each direction from 0. {@code payloadCrc} is the CRC32C of the
 * payload, {@code headerCrc} the CRC32C of the bytes from {@code seq} to the end of {@code header}; the header
 * is a protobuf {@code zbpp.TensorFrame} without data (part 0 of 1); the payload is the tensor's bytes, {@code
 * length - 1 - TENSOR_FIXED_BYTES - headerLength} of them. Pure functions.
 */
final class Frames {
  static final byte HELLO = 1;
  static final byte CREDIT = 2;
  static final byte TENSOR = 3;
  static final byte ACK = 4;
  static final byte RESEND = 5;
  /** The version in HELLO: 2 added sequence numbers, CRC32C, ACK and RESEND (version 1 had no version byte). */
  static final int VERSION = 2;
  /** Length and type. */
  static final int PREFIX_BYTES = 5;
  /** A TENSOR body's fields before the header: headerCrc, seq, payloadCrc, headerLength. */
  static final int TENSOR_FIXED_BYTES = 20;
  /** Bigger headers or ids are a malformed stream, not a big tensor. */
  static final int MAX_HEADER_BYTES = 64 * 1024;

  private Frames() {}

  static ByteBuf hello(ByteBufAllocator alloc, String id, int credits) {
    byte[] name = id.getBytes(StandardCharsets.UTF_8);
    if (name.length > 0xFFFF) {
      throw new IllegalArgumentException("data plane id of " + name.length + " bytes: at most 65535");
    }
    ByteBuf b = alloc.ioBuffer(PREFIX_BYTES + 7 + name.length);
    b.writeInt(1 + 7 + name.length).writeByte(HELLO).writeByte(VERSION).writeInt(credits).writeShort(name.length)
        .writeBytes(name);
    return b;
  }

  static ByteBuf credit(ByteBufAllocator alloc, int credits) {
    return alloc.ioBuffer(PREFIX_BYTES + 4).writeInt(1 + 4).writeByte(CREDIT).writeInt(credits);
  }

  static ByteBuf ack(ByteBufAllocator alloc, long next) {
    return alloc.ioBuffer(PREFIX_BYTES + 8).writeInt(1 + 8).writeByte(ACK).writeLong(next);
  }

  static ByteBuf resend(ByteBufAllocator alloc, long seq, long seen) {
    return alloc.ioBuffer(PREFIX_BYTES + 16).writeInt(1 + 16).writeByte(RESEND).writeLong(seq).writeLong(seen);
  }

  /** The CRC32C of {@code bytes}' remaining bytes; their position is not changed. */
  static int crc(ByteBuffer bytes) {
    CRC32C c = new CRC32C();
    c.update(bytes.duplicate());
    return (int) c.getValue();
  }

  /**
   * The prefix and header of a TENSOR frame numbered {@code seq}, whose payload (following as its own buffer)
   * has {@code payloadBytes} bytes and CRC {@code payloadCrc}; {@code header} is {@link #header(TensorHeader)}
   * serialized.
   */
  static ByteBuf tensorHead(ByteBufAllocator alloc, long seq, byte[] header, int payloadCrc, int payloadBytes) {
    ByteBuf b = alloc.ioBuffer(PREFIX_BYTES + TENSOR_FIXED_BYTES + header.length);
    b.writeInt(tensorLength(header.length, payloadBytes)).writeByte(TENSOR).writeInt(0)
        .writeLong(seq).writeInt(payloadCrc).writeInt(header.length).writeBytes(header);
    int crcAt = PREFIX_BYTES + 4;
    return b.setInt(PREFIX_BYTES, crc(b.nioBuffer(crcAt, b.writerIndex() - crcAt)));
  }

  /** The frame length of a tensor: refused from 2 GiB on. */
  static int tensorLength(int headerBytes, int payloadBytes) {
    long length = 1L + TENSOR_FIXED_BYTES + headerBytes + payloadBytes;
    if (length > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor of " + payloadBytes + " bytes: a frame holds less than 2 GiB");
    }
    return (int) length;
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
