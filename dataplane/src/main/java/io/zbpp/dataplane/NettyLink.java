package io.zbpp.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One data plane link over a Netty channel, either side. Both sides open with HELLO (their version, id and
 * initial credits, one per receive buffer); the link is established when the peer's HELLO arrives — with TLS
 * that happens only after the peer accepted our certificate. A tensor may be sent only against a credit;
 * without one, sends wait in order in {@link #queue} (back-pressure: the sender's futures stay pending).
 * Releasing a received tensor returns its buffer and sends one CREDIT back.
 *
 * <p>Integrity: every tensor frame is numbered and carries CRC32Cs of its header and payload. The receiver
 * checks them before the bytes are used, hands frames on in number order ({@link ReceiveWindow}), drops copies,
 * acknowledges cumulatively (one ACK per read batch) and asks for a corrupt or missing frame with RESEND; the
 * sender keeps each frame until acknowledged ({@link SendWindow}) and sends it again on RESEND or when it stays
 * unacknowledged for the retransmit timeout. A send's future completes when the peer acknowledged the frame.
 * {@link FrameFaults} of the plane are applied here, to a frame's first transmission. All state is touched on
 * the channel's event loop.
 */
final class NettyLink extends ChannelInboundHandlerAdapter implements DataLink, FrameDecoder.Listener {
  private static final Logger log = LoggerFactory.getLogger(NettyLink.class);
  /** Heap payloads are written in slices of this size, so Netty copies them into pooled direct buffers. */
  private static final int HEAP_SLICE_BYTES = 1 << 20;
  /** How long an ACK may wait for another frame to leave with. */
  private static final long ACK_DELAY_MICROS = 500;

  private final NettyDataPlane plane;
  private final Channel channel;
  private final ReceiveBuffers buffers;
  private final ArrayDeque<SendWindow.Pending> queue = new ArrayDeque<>();
  private final SendWindow sent = new SendWindow();
  private final ReceiveWindow received = new ReceiveWindow();
  /** Frames held back by a reorder fault until the next frame overtook them. */
  private final ArrayDeque<SendWindow.Outgoing> reordered = new ArrayDeque<>();
  private final CompletableFuture<NettyLink> established = new CompletableFuture<>();
  private final long timeoutNanos;
  private volatile String peerId;
  private volatile boolean closing;
  private int sendCredits;
  private boolean ackDue;
  private boolean resendDue;
  private boolean flushScheduled;
  private boolean timerArmed;
  private Throwable failure;

  NettyLink(NettyDataPlane plane, Channel channel, int credits) {
    this.plane = plane;
    this.channel = channel;
    this.buffers = new ReceiveBuffers(channel.alloc(), credits);
    this.timeoutNanos = plane.retransmitTimeout().toNanos();
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

  /** Serializes the header, computes the payload's CRC32C and asks the plane's faults, on the caller's thread. */
  @Override
  public CompletableFuture<Void> send(TensorHeader header, ByteBuffer payload) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    ByteBuffer data = payload.duplicate();
    byte[] head = Frames.header(header).toByteArray();
    try {
      Frames.tensorLength(head.length, data.remaining());
    } catch (IllegalArgumentException e) {
      done.completeExceptionally(new DataPlaneException("tensor " + header.key() + ": " + e.getMessage(), e));
      return done;
    }
    SendWindow.Pending p = new SendWindow.Pending(header, head, data, Frames.crc(data),
        plane.frameFaults().next(header), done);
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

  /**
   * One ACK for everything a read batch brought. RESENDs go out at once; the ACK waits up to
   * {@link #ACK_DELAY_MICROS} for the next flush — usually the CREDIT of a tensor the receiver released at once —
   * so that both leave in one write.
   */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (ackDue) {
      ackDue = false;
      ctx.write(Frames.ack(ctx.alloc(), received.expected()), ctx.voidPromise());
      if (!flushScheduled) {
        flushScheduled = true;
        ctx.executor().schedule(() -> {
          flushScheduled = false;
          channel.flush();
        }, ACK_DELAY_MICROS, TimeUnit.MICROSECONDS);
      }
    }
    if (resendDue) {
      resendDue = false;
      ctx.flush();
    }
    ctx.fireChannelReadComplete();
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
    received.clear().forEach(a -> a.payload().release());
    buffers.close();
    DataPlaneException lost = lost();
    SendWindow.Pending p;
    while ((p = queue.poll()) != null) {
      p.done().completeExceptionally(lost);
    }
    sent.clear().forEach(o -> o.pending.done().completeExceptionally(lost));
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
  public void onAck(long next) {
    sent.ack(next).forEach(o -> o.pending.done().complete(null));
  }

  @Override
  public void onResend(long seq, long seen) {
    sent.resend(seq, seen).ifPresent(o -> {
      retransmit(o);
      channel.flush();
    });
  }

  /** A copy of a frame received before is skipped unread; a frame beyond the credits breaks the protocol. */
  @Override
  public ByteBuf payloadBuffer(long seq, TensorHeader header, int bytes) {
    if (received.isCopy(seq)) {
      plane.counters().duplicates.increment();
      ackDue = true;
      return null;
    }
    if (seq >= received.expected() + buffers.credits()) {
      throw new DataPlaneException("protocol error: tensor frame " + seq + " beyond the " + buffers.credits()
          + " credits after frame " + received.expected());
    }
    return buffers.take(bytes);
  }

  @Override
  public void onTensor(long seq, TensorHeader header, ByteBuf payload) {
    for (long gap : received.newGapsBefore(seq)) {
      plane.counters().missing.increment();
      channel.write(Frames.resend(channel.alloc(), gap, seq), channel.voidPromise());
      resendDue = true;
    }
    for (ReceiveWindow.Arrival a : received.arrived(new ReceiveWindow.Arrival(seq, header, payload))) {
      ByteBuf b = a.payload();
      plane.deliver(this, new ReceivedTensor(a.header(), b.nioBuffer(0, b.writerIndex()), () -> giveBack(b)));
    }
    ackDue = true;
  }

  /** The corrupt frame's buffer goes back unused (its credit stays with the frame) and the frame is asked for. */
  @Override
  public void onCorrupt(long seq, ByteBuf payload) {
    plane.counters().corrupted.increment();
    if (payload != null) {
      buffers.giveBack(payload);
    }
    long ask = seq >= 0 ? seq : received.firstMissing();
    received.asking(ask);
    log.warn("{}: tensor frame {} failed its CRC32C check; asking for it again", this, ask);
    channel.write(Frames.resend(channel.alloc(), ask, seq), channel.voidPromise());
    resendDue = true;
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

  private void enqueue(SendWindow.Pending p) {
    if (!channel.isActive()) {
      p.done().completeExceptionally(lost());
      return;
    }
    queue.add(p);
    drain();
  }

  /** Sends what the credits allow; a frame held back by a reorder fault follows the next frame written. */
  private void drain() {
    boolean wrote = false;
    while (sendCredits > 0 && !queue.isEmpty()) {
      sendCredits--;
      boolean overtaking = !reordered.isEmpty();
      if (first(sent.add(queue.poll()))) {
        wrote = true;
        while (overtaking && !reordered.isEmpty()) {
          write(reordered.poll(), null);
        }
      }
    }
    if (wrote) {
      channel.flush();
    }
  }

  /** A frame's first transmission, with its fault if it has one; true if a copy was written now. */
  private boolean first(SendWindow.Outgoing o) {
    Optional<FrameFault> fault = o.pending.fault();
    if (fault.isEmpty()) {
      write(o, null);
      return true;
    }
    log.info("{}: injecting {} into frame {} ({})", this, fault.get(), o.seq, o.pending.header().key());
    plane.counters().injected.increment();
    switch (fault.get().kind()) {
      case DROP -> {
        sent.transmitted(o);
        o.leftAt = System.nanoTime();
        armTimer();
      }
      case DUPLICATE -> {
        write(o, null);
        write(o, null);
      }
      case DELAY -> later(o, fault.get().factor());
      case REORDER -> {
        reordered.add(o);
        later(o, FrameFault.Kind.REORDER_WAIT_MILLIS);
      }
      case CORRUPT -> write(o, corrupted(o.pending.payload()));
    }
    return fault.get().kind() == FrameFault.Kind.DUPLICATE || fault.get().kind() == FrameFault.Kind.CORRUPT;
  }

  /** Writes {@code o} in {@code millis} unless it went out (or was acknowledged) meanwhile. */
  private void later(SendWindow.Outgoing o, long millis) {
    channel.eventLoop().schedule(() -> {
      reordered.remove(o);
      if (!o.acked && o.order == Long.MAX_VALUE && channel.isActive()) {
        write(o, null);
        channel.flush();
      }
    }, millis, TimeUnit.MILLISECONDS);
  }

  /** A copy of the payload with one byte flipped, for a corrupt fault (the CRC was computed before). */
  private static ByteBuffer corrupted(ByteBuffer payload) {
    ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload.duplicate()).flip();
    if (copy.hasRemaining()) {
      int at = copy.remaining() / 2;
      copy.put(at, (byte) ~copy.get(at));
    }
    return copy;
  }

  private void retransmit(SendWindow.Outgoing o) {
    plane.counters().retransmits.increment();
    reordered.remove(o);
    write(o, null);
  }

  /** Arms the retransmit timer for the oldest unacknowledged frame, unless it is armed. */
  private void armTimer() {
    long deadline = sent.deadline(timeoutNanos);
    if (timerArmed || deadline < 0) {
      return;
    }
    timerArmed = true;
    long delay = Math.max(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(1));
    channel.eventLoop().schedule(this::onTimer, delay, TimeUnit.NANOSECONDS);
  }

  private void onTimer() {
    timerArmed = false;
    if (!channel.isActive()) {
      return;
    }
    sent.overdue(System.nanoTime(), timeoutNanos).ifPresent(o -> {
      plane.counters().missing.increment();
      log.warn("{}: tensor frame {} unacknowledged after {} ms; sending it again", this, o.seq,
          TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
      retransmit(o);
      channel.flush();
    });
    armTimer();
  }

  /**
   * Writes a copy of {@code o} (with {@code payload}, or its own when null): prefix and header, then the payload
   * as it is (direct) or in 1 MiB slices (heap). The retransmit timer runs from when the copy left the process.
   */
  private void write(SendWindow.Outgoing o, ByteBuffer payload) {
    ByteBuffer data = payload != null ? payload : o.pending.payload().duplicate();
    sent.transmitted(o);
    long order = o.order;
    channel.write(Frames.tensorHead(channel.alloc(), o.seq, o.pending.headerBytes(), o.pending.payloadCrc(),
        data.remaining()), channel.voidPromise());
    ChannelFuture last = null;
    if (data.isDirect() || data.remaining() <= HEAP_SLICE_BYTES) {
      last = channel.write(Unpooled.wrappedBuffer(data));
    } else {
      for (int at = data.position(); at < data.limit(); at += HEAP_SLICE_BYTES) {
        ByteBuffer slice = data.duplicate().position(at).limit(Math.min(data.limit(), at + HEAP_SLICE_BYTES));
        last = channel.write(Unpooled.wrappedBuffer(slice));
      }
    }
    last.addListener(f -> {
      if (f.isSuccess()) {
        if (o.order == order) {
          o.leftAt = System.nanoTime();
        }
        armTimer();
      } else {
        o.pending.done().completeExceptionally(new DataPlaneException(this + ": send of "
            + o.pending.header().key() + " failed: " + f.cause(), f.cause()));
        channel.close();
      }
    });
  }
}
