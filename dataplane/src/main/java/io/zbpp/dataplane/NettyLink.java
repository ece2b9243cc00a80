package io.zbpp.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One data plane link over a Netty channel, either side. Both sides open with HELLO (their id and their initial
 * credits, one per receive buffer); the link is established when the peer's HELLO arrives — with TLS that
 * happens only after the peer accepted our certificate. A tensor may be sent only against a credit; without
 * one, sends wait in order in {@link #queue} (back-pressure: the sender's futures stay pending). Releasing a
 * received tensor returns its buffer and sends one CREDIT back. All state is touched on the channel's event loop.
 */
final class NettyLink extends ChannelInboundHandlerAdapter implements DataLink, FrameDecoder.Listener {
  private static final Logger log = LoggerFactory.getLogger(NettyLink.class);
  /** Heap payloads are written in slices of this size, so Netty copies them into pooled direct buffers. */
  private static final int HEAP_SLICE_BYTES = 1 << 20;

  private record Pending(TensorHeader header, ByteBuffer payload, CompletableFuture<Void> done) {}

  private final NettyDataPlane plane;
  private final Channel channel;
  private final ReceiveBuffers buffers;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final CompletableFuture<NettyLink> established = new CompletableFuture<>();
  private volatile String peerId;
  private volatile boolean closing;
  private int sendCredits;
  private Throwable failure;

  NettyLink(NettyDataPlane plane, Channel channel, int credits) {
    this.plane = plane;
    this.channel = channel;
    this.buffers = new ReceiveBuffers(channel.alloc(), credits);
  }

  /** Completes with this link once the peer's HELLO arrived; fails if the channel closes first. */
  CompletableFuture<NettyLink> established() {
    return established;
  }

  @Override
  public String peerId() {
    String id = peerId;
    return id != null ? id : String.valueOf(channel.remoteAddress());
  }

  @Override
  public CompletableFuture<Void> send(TensorHeader header, ByteBuffer payload) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Pending p = new Pending(header, payload.duplicate(), done);
    if (channel.eventLoop().inEventLoop()) {
      enqueue(p);
      return done;
    }
    try {
      channel.eventLoop().execute(() -> enqueue(p));
    } catch (RejectedExecutionException e) {
      done.completeExceptionally(lost());
    }
    return done;
  }

  @Override
  public void close() {
    closing = true;
    channel.close();
  }

  @Override
  public String toString() {
    return "data link to " + peerId() + " (" + channel.remoteAddress() + ")";
  }

  // ---- channel events

  /** Sends HELLO once the channel is usable; with TLS, SslHandler holds it back until the handshake is done. */
  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(Frames.hello(ctx.alloc(), plane.id(), buffers.credits()));
    ctx.fireChannelActive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (failure == null) {
      failure = cause;
    }
    log.debug("{}: {}", this, cause.toString());
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    buffers.close();
    DataPlaneException lost = lost();
    Pending p;
    while ((p = queue.poll()) != null) {
      p.done().completeExceptionally(lost);
    }
    boolean wasUp = established.isDone();
    if (!wasUp) {
      established.completeExceptionally(lost);
    }
    plane.removed(this);
    if (wasUp && !closing && !plane.closing()) {
      log.info("{} lost: {}", this, lost.getMessage());
      plane.sink().onLinkLost(this, lost);
    }
  }

  private DataPlaneException lost() {
    String why = failure == null ? "closed by the peer" : failure.toString();
    return new DataPlaneException(this + " lost: " + why, failure);
  }

  // ---- frames from the decoder

  @Override
  public void onHello(String id, int credits) {
    peerId = id;
    sendCredits += credits;
    log.info("{} up ({} credits)", this, credits);
    plane.established(this);
    established.complete(this);
    drain();
  }

  @Override
  public void onCredit(int credits) {
    sendCredits += credits;
    drain();
  }

  @Override
  public ByteBuf payloadBuffer(TensorHeader header, int bytes) {
    return buffers.take(bytes);
  }

  @Override
  public void onTensor(TensorHeader header, ByteBuf payload) {
    ByteBuffer data = payload.nioBuffer(0, payload.writerIndex());
    plane.sink().onTensor(this, new ReceivedTensor(header, data, () -> giveBack(payload)));
  }

  // ---- sending

  private void giveBack(ByteBuf payload) {
    try {
      channel.eventLoop().execute(() -> {
        buffers.giveBack(payload);
        if (channel.isActive()) {
          channel.writeAndFlush(Frames.credit(channel.alloc(), 1), channel.voidPromise());
        }
      });
    } catch (RejectedExecutionException e) {
      payload.release();
    }
  }

  private void enqueue(Pending p) {
    if (!channel.isActive()) {
      p.done().completeExceptionally(lost());
      return;
    }
    queue.add(p);
    drain();
  }

  private void drain() {
    boolean wrote = false;
    while (sendCredits > 0 && !queue.isEmpty()) {
      sendCredits--;
      write(queue.poll());
      wrote = true;
    }
    if (wrote) {
      channel.flush();
    }
  }

  private void write(Pending p) {
    ByteBuffer data = p.payload();
    channel.write(Frames.tensorHead(channel.alloc(), p.header(), data.remaining()), channel.voidPromise());
    ChannelFuture last;
    if (data.isDirect() || data.remaining() <= HEAP_SLICE_BYTES) {
      last = channel.write(Unpooled.wrappedBuffer(data));
    } else {
      last = null;
      for (int at = data.position(); at < data.limit(); at += HEAP_SLICE_BYTES) {
        ByteBuffer slice = data.duplicate().position(at).limit(Math.min(data.limit(), at + HEAP_SLICE_BYTES));
        last = channel.write(Unpooled.wrappedBuffer(slice));
      }
    }
    last.addListener(f -> {
      if (f.isSuccess()) {
        p.done().complete(null);
      } else {
        p.done().completeExceptionally(new DataPlaneException(this + ": send of " + p.header().key()
            + " failed: " + f.cause(), f.cause()));
      }
    });
  }
}
