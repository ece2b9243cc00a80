package io.zbpp.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;

/**
 * The receive buffers of one link, one per credit: a frame's payload is read into a free one, which stays lent
 * to the receiver until it releases the tensor. A buffer is kept and reused for later frames, and replaced
 * only when a frame is larger than it (steady pipelines send the same sizes again and again, so after the first
 * iteration nothing is allocated). Used on the link's event loop only.
 */
final class ReceiveBuffers {
  private final ByteBufAllocator alloc;
  private final int credits;
  private final ArrayDeque<ByteBuf> free = new ArrayDeque<>();
  private int lent;
  private boolean closed;

  ReceiveBuffers(ByteBufAllocator alloc, int credits) {
    this.alloc = alloc;
    this.credits = credits;
  }

  int credits() {
    return credits;
  }

  /** An empty buffer with capacity for {@code bytes}; the peer must not have more tensors in flight than credits. */
  ByteBuf take(int bytes) {
    if (lent == credits) {
      throw new DataPlaneException("protocol error: peer sent a tensor beyond its " + credits + " credits");
    }
    ByteBuf b = free.poll();
    if (b == null || b.capacity() < bytes) {
      if (b != null) {
        b.release();
      }
      b = alloc.directBuffer(Math.max(bytes, 1));
    }
    lent++;
    return b.clear();
  }

  /** A released tensor's buffer comes back; after {@link #close()} it is freed instead. */
  void giveBack(ByteBuf b) {
    lent--;
    if (closed) {
      b.release();
    } else {
      free.push(b);
    }
  }

  void close() {
    closed = true;
    ByteBuf b;
    while ((b = free.poll()) != null) {
      b.release();
    }
  }
}
