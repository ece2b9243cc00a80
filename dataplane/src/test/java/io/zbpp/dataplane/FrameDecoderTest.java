package io.zbpp.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.TensorKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The frame decoder fed the same stream cut at arbitrary places: it must see the same frames. */
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
    public ByteBuf payloadBuffer(TensorHeader header, int bytes) {
      return Unpooled.buffer(bytes);
    }

    @Override
    public void onTensor(TensorHeader header, ByteBuf payload) {
      seen.add("TENSOR " + header.job() + " " + header.key() + " " + header.shape() + " "
          + payload.readableBytes());
      byte[] b = new byte[payload.readableBytes()];
      payload.readBytes(b);
      payloads.add(b);
    }
  }

  private static ByteBuf stream(byte[] payload) {
    TensorHeader h =
        new TensorHeader(new JobEpoch("j", 7), TensorKey.gradient(3, 5, 1), List.of(2, payload.length / 8));
    ByteBuf s = Unpooled.buffer();
    s.writeBytes(Frames.hello(ALLOC, "stage-3", 4));
    s.writeBytes(Frames.tensorHead(ALLOC, h, payload.length)).writeBytes(payload);
    s.writeBytes(Frames.credit(ALLOC, 1));
    s.writeBytes(Frames.tensorHead(ALLOC, new TensorHeader(h.job(), h.key().inAttempt(1), List.of()), 0));
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
        "TENSOR j@7 TensorKey[iteration=3, kind=GRADIENT, microbatch=5, chunk=1, index=0] [2, 1000] 8000",
        "CREDIT 1",
        "TENSOR j@7 TensorKey[iteration=3, kind=GRADIENT, microbatch=5, chunk=1, index=1] [] 0");
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
    ByteBuf head = Frames.tensorHead(ALLOC, h, payload.length);
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
      public ByteBuf payloadBuffer(TensorHeader header, int bytes) {
        lent[0] = Unpooled.directBuffer(bytes);
        return lent[0];
      }
    };
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(events));
    TensorHeader h = new TensorHeader(new JobEpoch("j", 1), TensorKey.activation(0, 0, 0), List.of(100));
    ch.writeInbound(Frames.tensorHead(ALLOC, h, 400).writeBytes(new byte[10]));

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

    assertThatThrownBy(() -> ch.writeInbound(Unpooled.buffer().writeInt(10).writeByte(Frames.TENSOR).writeInt(6)))
        .isInstanceOf(DataPlaneException.class)
        .hasMessage("malformed frame: tensor header of 6 bytes in a frame of 10");
  }
}
