package io.zbpp.dataplane;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The sending half of a link's integrity protocol (docs/transport.md "Integrity"): numbers the tensor frames,
 * keeps each one until the peer acknowledges it, and says which to send again. A frame is kept from its first
 * transmission to the cumulative ACK that covers it; since the peer acknowledges a frame before it releases
 * it, and every frame took one of the peer's credits, at most {@code credits} frames are kept — the retention
 * is bounded by the back-pressure that already exists. Used on the link's event loop only.
 */
final class SendWindow {
  /** A tensor to send, as {@link DataLink#send} got it: header serialized, payload CRC computed. */
  record Pending(TensorHeader header, byte[] headerBytes, ByteBuffer payload, int payloadCrc,
      Optional<FrameFault> fault, CompletableFuture<Void> done) {}

  /** A frame on its way: numbered, kept until acknowledged. */
  static final class Outgoing {
    final long seq;
    final Pending pending;
    /** The position of its last copy among the link's transmissions; {@link Long#MAX_VALUE}: not yet sent. */
    long order = Long.MAX_VALUE;
    /** {@link System#nanoTime()} when its last copy left the process; −1 while it has not. */
    long leftAt = -1;
    boolean acked;

    Outgoing(long seq, Pending pending) {
      this.seq = seq;
      this.pending = pending;
    }
  }

  private final ArrayDeque<Outgoing> unacked = new ArrayDeque<>();
  private long nextSeq;
  private long transmissions;

  /** Numbers {@code p} and keeps it until it is acknowledged. */
  Outgoing add(Pending p) {
    Outgoing o = new Outgoing(nextSeq++, p);
    unacked.add(o);
    return o;
  }

  /** A copy of {@code o} goes on the wire now (or, for a dropped frame, would have). */
  void transmitted(Outgoing o) {
    o.order = transmissions++;
    o.leftAt = -1;
  }

  /** The peer has every frame below {@code next}: those frames, now forgotten, in order. */
  List<Outgoing> ack(long next) {
    List<Outgoing> done = new ArrayList<>();
    while (!unacked.isEmpty() && unacked.peek().seq < next) {
      Outgoing o = unacked.poll();
      o.acked = true;
      done.add(o);
    }
    return done;
  }

  /**
   * What to send again when the peer asks for {@code seq}, having seen frame {@code seen} (−1: unknown):
   * nothing if {@code seq} was acknowledged already, or if its last copy went out after {@code seen}'s (it was
   * overtaken, not lost, and is still on its way).
   */
  Optional<Outgoing> resend(long seq, long seen) {
    Outgoing missing = find(seq);
    if (missing == null) {
      return Optional.empty();
    }
    Outgoing trigger = seen < 0 || seen == seq ? null : find(seen);
    if (trigger != null && missing.order > trigger.order) {
      return Optional.empty();
    }
    return Optional.of(missing);
  }

  /** The oldest frame if its last copy left at least {@code timeoutNanos} before {@code now} unacknowledged. */
  Optional<Outgoing> overdue(long now, long timeoutNanos) {
    Outgoing o = unacked.peek();
    return o != null && o.leftAt >= 0 && now - o.leftAt >= timeoutNanos ? Optional.of(o) : Optional.empty();
  }

  /** When the oldest frame falls {@link #overdue} (nanoTime), or −1 when none is out waiting for an ACK. */
  long deadline(long timeoutNanos) {
    Outgoing o = unacked.peek();
    return o == null ? -1 : (o.leftAt >= 0 ? o.leftAt : System.nanoTime()) + timeoutNanos;
  }

  /** Forgets every frame (the link is gone) and returns them. */
  List<Outgoing> clear() {
    List<Outgoing> all = new ArrayList<>(unacked);
    unacked.clear();
    return all;
  }

  private Outgoing find(long seq) {
    Outgoing first = unacked.peek();
    if (first == null || seq < first.seq || seq >= nextSeq) {
      return null;
    }
    for (Outgoing o : unacked) {
      if (o.seq == seq) {
        return o;
      }
    }
    return null;
  }
}
