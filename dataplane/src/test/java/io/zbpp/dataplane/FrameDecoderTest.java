package io.zbpp.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.TensorKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The frame decoder fed the same stream cut at arbitrary places, and corrupt frames: what it hands on. */
class FrameDecoderTest {
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  /** Records what the decoder hands on; lends one reused buffer per payload, as the receive buffers do. */
  private static class Events implements FrameDecoder.Listener {
    final List<String> seen = new ArrayList<>();
    final List<byte[]> payloads = new ArrayList<>();

    @Override
    public void onHello(String peerId, int credits) {
      seen.add("HELLO " + peerId + " " + credits);
    }

    @Override
    public void onCredit(int credits) {
      seen.add("CREDIT " + credits);
    }

    @Override
    public void onAck(long next) {
      seen.add("ACK " + next);
    }

    @Override
    public void onResend(long seq, long seen) {
      this.seen.add("RESEND " + seq + " " + seen);
    }

    @Override
    public ByteBuf payloadBuffer(long seq, TensorHeader header, int bytes) {
      return Unpooled.buffer(bytes);
    }

    @Override
    public void onCorrupt(long seq, ByteBuf payload) {
      seen.add("CORRUPT " + seq + (payload == null ? "" : " " + payload.readableBytes()));
    }

    @Override
    public void onTensor(long seq, TensorHeader header, ByteBuf payload) {
      seen.add("TENSOR " + seq + " " + header.job() + " " + header.key() + " " + header.shape() + " "
          + payload.readableBytes());
      byte[] b = new byte[payload.readableBytes()];
      payload.readBytes(b);
      payloads.add(b);
    }
  }

  /** The prefix and header of tensor frame {@code seq} carrying {@code payload} (which does not follow). */
  static ByteBuf head(long seq, TensorHeader h, byte[] payload) {
    return Frames.tensorHead(ALLOC, seq, Frames.header(h).toByteArray(), Frames.crc(ByteBuffer.wrap(payload)),
        payload.length);
  }

  private static ByteBuf stream(byte[] payload) {
    TensorHeader h =
        new TensorHeader(new JobEpoch("j", 7), TensorKey.gradient(3, 5, 1), List.of(2, payload.length / 8));
    ByteBuf s = Unpooled.buffer();
    s.writeBytes(Frames.hello(ALLOC, "stage-3", 4));
    s.writeBytes(head(0, h, payload)).writeBytes(payload);
    s.writeBytes(Frames.credit(ALLOC, 1));
    s.writeBytes(Frames.ack(ALLOC, 12));
    s.writeBytes(Frames.resend(ALLOC, 9, 11));
    s.writeBytes(head(1, new TensorHeader(h.job(), h.key().inAttempt(1), List.of()), new byte[0]));
    return s;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 64, 1000, 100_000})
  void decodesTheSameFramesWhereverTheStreamIsCut(int maxChunk) {
    byte[] payload = new byte[8 * 1000];
    new Random(1).nextBytes(payload);
    ByteBuf whole = stream(payload);
    Events events = new Events();
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(events));
    Random cuts = new Random(maxChunk);

    while (whole.isReadable()) {
      int n = Math.min(whole.readableBytes(), 1 + cuts.nextInt(maxChunk));
      ch.writeInbound(whole.readRetainedSlice(n));
    }

    assertThat(events.seen).containsExactly(
        "HELLO stage-3 4",
        "TENSOR 0 j@7 TensorKey[iteration=3, kind=GRADIENT, microbatch=5, chunk=1, index=0] [2, 1000] 8000",
        "CREDIT 1",
        "ACK 12",
        "RESEND 9 11",
        "TENSOR 1 j@7 TensorKey[iteration=3, kind=GRADIENT, microbatch=5, chunk=1, index=1] [] 0");
    assertThat(events.payloads.get(0)).isEqualTo(payload);
    whole.release();
  }

  @Test
  void readsALargePayloadInPlaceThroughTheReadAllocator() {
    byte[] payload = new byte[100_000];
    new Random(2).nextBytes(payload);
    TensorHeader h = new TensorHeader(new JobEpoch("j", 1), TensorKey.activation(0, 0, 0), List.of(25_000));
    Events events = new Events();
    FrameDecoder decoder = new FrameDecoder(events);
    EmbeddedChannel ch = new EmbeddedChannel(decoder);
    io.netty.channel.RecvByteBufAllocator.Handle reads = decoder.readAllocator().newHandle();
    ByteBuf head = head(0, h, payload);
    ch.writeInbound(head.writeBytes(payload, 0, 1000));

    ByteBuf target = reads.allocate(ALLOC);
    assertThat(target.writableBytes()).as("the rest of the payload").isEqualTo(99_000);
    target.writeBytes(payload, 1000, 60_000);
    ch.writeInbound(target);
    ByteBuf rest = reads.allocate(ALLOC);
    assertThat(rest.writableBytes()).isEqualTo(39_000);
    ch.writeInbound(rest.writeBytes(payload, 61_000, 39_000));

    assertThat(events.payloads).hasSize(1);
    assertThat(events.payloads.get(0)).isEqualTo(payload);
    ByteBuf ordinary = reads.allocate(ALLOC);
    assertThat(ordinary.capacity()).as("between frames: Netty's own read buffer").isLessThan(99_000);
    ordinary.release();
  }

  @Test
  void freesAPayloadCutOffWhenTheChannelCloses() {
    ByteBuf[] lent = new ByteBuf[1];
    Events events = new Events() {
      @Override
      public ByteBuf payloadBuffer(long seq, TensorHeader header, int bytes) {
        lent[0] = Unpooled.directBuffer(bytes);
        return lent[0];
      }
    };
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(events));
    TensorHeader h = new TensorHeader(new JobEpoch("j", 1), TensorKey.activation(0, 0, 0), List.of(100));
    ch.writeInbound(head(0, h, new byte[400]).writeBytes(new byte[10]));

    ch.finishAndReleaseAll();

    assertThat(lent[0].refCnt()).isZero();
    assertThat(events.seen).isEmpty();
  }

  @Test
  void rejectsAnUnknownFrameType() {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(new Events()));

    assertThatThrownBy(() -> ch.writeInbound(Unpooled.buffer().writeInt(5).writeByte(9).writeInt(0)))
        .isInstanceOf(DataPlaneException.class).hasMessage("malformed frame: unknown type 9");
  }

  @Test
  void rejectsAHeaderLongerThanItsFrame() {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(new Events()));
    ByteBuf frame = Unpooled.buffer().writeInt(25).writeByte(Frames.TENSOR).writeInt(0).writeLong(0).writeInt(0)
        .writeInt(6);

    assertThatThrownBy(() -> ch.writeInbound(frame)).isInstanceOf(DataPlaneException.class)
        .hasMessage("malformed frame: tensor header of 6 bytes in a frame of 25");
  }

  @Test
  void refusesAPeerOfAnotherVersion() {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(new Events()));
    ByteBuf versionOne = Unpooled.buffer().writeInt(1 + 7).writeByte(Frames.HELLO).writeInt(4).writeShort(1)
        .writeByte('a');

    assertThatThrownBy(() -> ch.writeInbound(versionOne)).isInstanceOf(DataPlaneException.class)
        .hasMessage("the peer speaks data plane version 0, this side version 2");
  }

  @Test
  void reportsAFlippedPayloadByteOrHeaderByteAsCorruptAndNeverHandsTheBytesOn() {
    byte[] payload = new byte[5000];
    new Random(3).nextBytes(payload);
    TensorHeader h = new TensorHeader(new JobEpoch("j", 1), TensorKey.activation(2, 1, 0), List.of(1250));
    Events events = new Events();
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(events));
    byte[] flipped = payload.clone();
    flipped[4321] ^= 0x10;
    ByteBuf badHeader = head(8, h, payload);
    int inHeader = badHeader.writerIndex() - 3;
    badHeader.setByte(inHeader, badHeader.getByte(inHeader) ^ 0x01);

    ch.writeInbound(head(7, h, payload).writeBytes(flipped));
    ch.writeInbound(badHeader.writeBytes(payload));
    ch.writeInbound(head(9, h, payload).writeBytes(payload));

    assertThat(events.seen).containsExactly("CORRUPT 7 5000", "CORRUPT -1",
        "TENSOR 9 j@1 TensorKey[iteration=2, kind=ACTIVATION, microbatch=1, chunk=0, index=0] [1250] 5000");
    assertThat(events.payloads.get(0)).isEqualTo(payload);
  }

  @Test
  void skipsThePayloadOfAFrameTheListenerDoesNotWant() {
    Events events = new Events() {
      @Override
      public ByteBuf payloadBuffer(long seq, TensorHeader header, int bytes) {
        return seq == 0 ? null : super.payloadBuffer(seq, header, bytes);
      }
    };
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(events));
    TensorHeader h = new TensorHeader(new JobEpoch("j", 1), TensorKey.activation(0, 0, 0), List.of(25));

    ch.writeInbound(head(0, h, new byte[100]).writeBytes(new byte[100]));
    ch.writeInbound(head(1, h, new byte[100]).writeBytes(new byte[100]));

    assertThat(events.seen).containsExactly(
        "TENSOR 1 j@1 TensorKey[iteration=0, kind=ACTIVATION, microbatch=0, chunk=0, index=0] [25] 100");
  }
}
