package io.zbpp.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;

/**
 * Reads {@link Frames} from the byte stream. Unlike Netty's {@code LengthFieldBasedFrameDecoder}, it never
 * gathers a whole frame in a growing cumulation buffer (which regrows and copies again and again for a 64 MiB
 * frame): the small prefix and header go through one reused scratch buffer, and the payload is copied once,
 * straight from the socket's read buffers into the receive buffer that {@link Listener#payloadBuffer} lends,
 * whatever the chunk boundaries. On plain TCP, {@link #readAllocator()} goes one step further: while a large
 * payload is being read, the socket reads straight into the receive buffer, so the payload's only copy is the
 * kernel's. Runs on the channel's event loop; not shareable.
 */
final class FrameDecoder extends ChannelInboundHandlerAdapter {
  /** What the decoder hands on, in stream order. */
  interface Listener {
    void onHello(String peerId, int credits);

    void onCredit(int credits);

    /** An empty buffer with room for {@code bytes}, to read a tensor's payload into. */
    ByteBuf payloadBuffer(TensorHeader header, int bytes);

    /** {@code payload} (from {@link #payloadBuffer}) now holds the tensor's bytes. */
    void onTensor(TensorHeader header, ByteBuf payload);
  }

  private enum State { PREFIX, CONTROL, HEADER_LENGTH, HEADER, PAYLOAD }

  private final Listener listener;
  private final ByteBuf scratch = Unpooled.buffer(64, Frames.MAX_HEADER_BYTES);
  private State state = State.PREFIX;
  private int length;
  private byte type;
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
    remaining -= n;
    if (remaining == 0) {
      deliver();
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
        case HEADER_LENGTH -> {
          if (fill(in, 4)) {
            headerLength();
          }
        }
        case HEADER -> {
          if (fill(in, headerLength)) {
            header();
          }
        }
        case PAYLOAD -> payload(in);
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
      case Frames.HELLO, Frames.CREDIT -> {
        if (length < 5 || length - 1 > Frames.MAX_HEADER_BYTES) {
          throw new DataPlaneException("malformed frame: control frame of length " + length);
        }
        state = State.CONTROL;
      }
      case Frames.TENSOR -> {
        if (length < 5) {
          throw new DataPlaneException("malformed frame: tensor frame of length " + length);
        }
        state = State.HEADER_LENGTH;
      }
      default -> throw new DataPlaneException("malformed frame: unknown type " + type);
    }
  }

  private void control() {
    int credits = scratch.readInt();
    if (type == Frames.HELLO) {
      int n = scratch.readUnsignedShort();
      listener.onHello(scratch.readCharSequence(n, StandardCharsets.UTF_8).toString(), credits);
    } else {
      listener.onCredit(credits);
    }
    scratch.clear();
    state = State.PREFIX;
  }

  private void headerLength() {
    headerLength = scratch.readInt();
    scratch.clear();
    if (headerLength < 0 || headerLength > Frames.MAX_HEADER_BYTES || headerLength > length - 5) {
      throw new DataPlaneException("malformed frame: tensor header of " + headerLength + " bytes in a frame of "
          + length);
    }
    state = State.HEADER;
  }

  private void header() {
    byte[] bytes = new byte[headerLength];
    scratch.readBytes(bytes);
    scratch.clear();
    header = Frames.header(bytes);
    remaining = length - 5 - headerLength;
    payload = listener.payloadBuffer(header, remaining);
    state = State.PAYLOAD;
    if (remaining == 0) {
      deliver();
    }
  }

  private void payload(ByteBuf in) {
    int n = Math.min(remaining, in.readableBytes());
    payload.writeBytes(in, n);
    remaining -= n;
    if (remaining == 0) {
      deliver();
    }
  }

  private void deliver() {
    ByteBuf p = payload;
    payload = null;
    state = State.PREFIX;
    listener.onTensor(header, p);
  }
}
