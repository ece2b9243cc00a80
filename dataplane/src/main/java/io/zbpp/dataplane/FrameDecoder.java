package io.zbpp.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Reads {@link Frames} from the byte stream. Unlike Netty's {@code LengthFieldBasedFrameDecoder}, it never
 * gathers a whole frame in a growing cumulation buffer (which regrows and copies again and again for a 64 MiB
 * frame): the small prefix and header go through one reused scratch buffer, and the payload is copied once,
 * straight from the socket's read buffers into the receive buffer that {@link Listener#payloadBuffer} lends,
 * whatever the chunk boundaries. Every tensor frame's header and payload are checked against their CRC32C before
 * they are handed on; a payload the listener does not want (a copy) is skipped unread. On plain TCP, {@link #readAllocator()} goes one step further: while a large
 * payload is being read, the socket reads straight into the receive buffer, so the payload's only copy is the
 * kernel's. Runs on the channel's event loop; not shareable.
 */
final class FrameDecoder extends ChannelInboundHandlerAdapter {
  /** What the decoder hands on, in stream order. */
  interface Listener {
    void onHello(String peerId, int credits);

    void onCredit(int credits);

    void onAck(long next);

    void onResend(long seq, long seen);

    /**
     * An empty buffer with room for {@code bytes}, to read the payload of tensor frame {@code seq} into; null
     * to skip the payload (a copy of a frame already received).
     */
    ByteBuf payloadBuffer(long seq, TensorHeader header, int bytes);

    /** {@code payload} (from {@link #payloadBuffer}) now holds the tensor's bytes, their CRC checked. */
    void onTensor(long seq, TensorHeader header, ByteBuf payload);

    /**
     * Tensor frame {@code seq} failed its CRC: its payload (in {@code payload}, from {@link #payloadBuffer}) or
     * its header (then {@code seq} is −1, not to be trusted, and {@code payload} null). Its bytes must not be used.
     */
    void onCorrupt(long seq, ByteBuf payload);
  }

  private enum State { PREFIX, CONTROL, TENSOR_FIXED, HEADER, PAYLOAD, SKIP }

  private final Listener listener;
  private final ByteBuf scratch = Unpooled.buffer(64, Frames.MAX_HEADER_BYTES);
  private final CRC32C crc = new CRC32C();
  private State state = State.PREFIX;
  private int length;
  private byte type;
  private int headerCrc;
  private long seq;
  private int payloadCrc;
  private int headerLength;
  private TensorHeader header;
  private ByteBuf payload;
  private int remaining;
  /** The slice of {@link #payload} last handed to the socket by {@link #readAllocator()}, if any. */
  private ByteBuf inPlace;

  FrameDecoder(Listener listener) {
    this.listener = listener;
  }

  /** Payloads at least this much from their end are read in place; smaller rests are not worth a read. */
  static final int IN_PLACE_MIN_BYTES = 16 * 1024;

  /**
   * The channel's read buffers (plain TCP only; TLS reads ciphertext): Netty's adaptive ones, except while a
   * payload has at least {@link #IN_PLACE_MIN_BYTES} to go — then a slice of the receive buffer where the
   * rest of the payload belongs, so the read lands in place and {@link #channelRead} only moves the index.
   */
  RecvByteBufAllocator readAllocator() {
    RecvByteBufAllocator adaptive = new AdaptiveRecvByteBufAllocator();
    return () -> new RecvByteBufAllocator.DelegatingHandle(adaptive.newHandle()) {
      @Override
      public ByteBuf allocate(ByteBufAllocator alloc) {
        if (state == State.PAYLOAD && remaining >= IN_PLACE_MIN_BYTES) {
          inPlace = payload.retainedSlice(payload.writerIndex(), remaining).clear();
          return inPlace;
        }
        return super.allocate(alloc);
      }
    };
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (in == inPlace) {
        inPlace = null;
        readInPlace(in.readableBytes());
      } else {
        decode(in);
      }
    } finally {
      in.release();
    }
  }

  private void readInPlace(int n) {
    payload.writerIndex(payload.writerIndex() + n);
    check(n);
    remaining -= n;
    if (remaining == 0) {
      finish();
    }
  }

  /** Frees the scratch buffer and a payload cut off mid-frame (the link is gone; nobody will release it). */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    scratch.release();
    if (payload != null) {
      payload.release();
      payload = null;
    }
  }

  private void decode(ByteBuf in) {
    while (in.isReadable()) {
      switch (state) {
        case PREFIX -> {
          if (fill(in, Frames.PREFIX_BYTES)) {
            prefix();
          }
        }
        case CONTROL -> {
          if (fill(in, length - 1)) {
            control();
          }
        }
        case TENSOR_FIXED -> {
          if (fill(in, Frames.TENSOR_FIXED_BYTES)) {
            tensorFixed();
          }
        }
        case HEADER -> {
          if (fill(in, headerLength)) {
            header();
          }
        }
        case PAYLOAD -> payload(in);
        case SKIP -> skip(in);
      }
    }
  }

  /** Copies from {@code in} into the scratch buffer until it holds {@code n} bytes; true once it does. */
  private boolean fill(ByteBuf in, int n) {
    int want = n - scratch.readableBytes();
    scratch.writeBytes(in, Math.min(want, in.readableBytes()));
    return scratch.readableBytes() == n;
  }

  private void prefix() {
    length = scratch.readInt();
    type = scratch.readByte();
    scratch.clear();
    switch (type) {
      case Frames.HELLO, Frames.CREDIT, Frames.ACK, Frames.RESEND -> {
        int body = length - 1;
        boolean fits = type == Frames.HELLO ? body >= controlBytes(type) && body <= Frames.MAX_HEADER_BYTES
            : body == controlBytes(type);
        if (!fits) {
          throw new DataPlaneException("malformed frame: control frame " + type + " of length " + length);
        }
        state = State.CONTROL;
      }
      case Frames.TENSOR -> {
        if (length < 1 + Frames.TENSOR_FIXED_BYTES) {
          throw new DataPlaneException("malformed frame: tensor frame of length " + length);
        }
        state = State.TENSOR_FIXED;
      }
      default -> throw new DataPlaneException("malformed frame: unknown type " + type);
    }
  }

  /** The body length of a control frame (HELLO: without its id). */
  private static int controlBytes(byte type) {
    return switch (type) {
      case Frames.HELLO -> 7;
      case Frames.CREDIT -> 4;
      case Frames.ACK -> 8;
      default -> 16;
    };
  }

  private void control() {
    switch (type) {
      case Frames.HELLO -> hello();
      case Frames.CREDIT -> listener.onCredit(scratch.readInt());
      case Frames.ACK -> listener.onAck(scratch.readLong());
      default -> listener.onResend(scratch.readLong(), scratch.readLong());
    }
    scratch.clear();
    state = State.PREFIX;
  }

  private void hello() {
    int version = scratch.readUnsignedByte();
    if (version != Frames.VERSION) {
      throw new DataPlaneException("the peer speaks data plane version " + version + ", this side version "
          + Frames.VERSION);
    }
    int credits = scratch.readInt();
    int n = scratch.readUnsignedShort();
    listener.onHello(scratch.readCharSequence(n, StandardCharsets.UTF_8).toString(), credits);
  }

  private void tensorFixed() {
    headerCrc = scratch.readInt();
    crc.reset();
    crc.update(scratch.nioBuffer(scratch.readerIndex(), Frames.TENSOR_FIXED_BYTES - 4));
    seq = scratch.readLong();
    payloadCrc = scratch.readInt();
    headerLength = scratch.readInt();
    scratch.clear();
    if (headerLength < 0 || headerLength > Frames.MAX_HEADER_BYTES
        || headerLength > length - 1 - Frames.TENSOR_FIXED_BYTES) {
      throw new DataPlaneException("malformed frame: tensor header of " + headerLength + " bytes in a frame of "
          + length);
    }
    state = State.HEADER;
  }

  /** Checks the header's CRC; then reads the payload into the buffer the listener lends, or skips it. */
  private void header() {
    byte[] bytes = new byte[headerLength];
    scratch.readBytes(bytes);
    scratch.clear();
    crc.update(bytes);
    remaining = length - 1 - Frames.TENSOR_FIXED_BYTES - headerLength;
    if ((int) crc.getValue() != headerCrc) {
      listener.onCorrupt(-1, null);
      payload = null;
    } else {
      header = Frames.header(bytes);
      payload = listener.payloadBuffer(seq, header, remaining);
    }
    state = payload == null ? State.SKIP : State.PAYLOAD;
    crc.reset();
    if (remaining == 0) {
      finish();
    }
  }

  private void skip(ByteBuf in) {
    int n = Math.min(remaining, in.readableBytes());
    in.skipBytes(n);
    remaining -= n;
    if (remaining == 0) {
      finish();
    }
  }

  private void payload(ByteBuf in) {
    int n = Math.min(remaining, in.readableBytes());
    payload.writeBytes(in, n);
    check(n);
    remaining -= n;
    if (remaining == 0) {
      finish();
    }
  }

  /** Adds the payload's last {@code n} bytes to its CRC while they are still in the cache. */
  private void check(int n) {
    crc.update(payload.nioBuffer(payload.writerIndex() - n, n));
  }

  /** The frame is read: a payload read in goes on if its CRC matches, else it is reported corrupt. */
  private void finish() {
    ByteBuf p = payload;
    payload = null;
    boolean skipped = state == State.SKIP;
    state = State.PREFIX;
    if (skipped) {
      return;
    }
    if ((int) crc.getValue() == payloadCrc) {
      listener.onTensor(seq, header, p);
    } else {
      listener.onCorrupt(seq, p);
    }
  }
}
