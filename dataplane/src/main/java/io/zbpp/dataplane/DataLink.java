package io.zbpp.dataplane;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One connection between two neighbouring stages, usable in both directions: activations one way, gradients
 * the other. Sends are delivered in order.
 */
public interface DataLink extends AutoCloseable {
  /** The {@link DataPlane#id()} of the plane at the other end. */
  String peerId();

  /**
   * Sends one tensor. The future completes once the bytes left this process (or, in memory, once the receiver
   * released them): only then may the caller reuse {@code payload}. It fails with a {@link DataPlaneException}
   * when the link is lost first. The payload's position and limit are not changed. A direct buffer goes to the
   * socket without a copy; a heap buffer is copied once into pooled direct memory. Thread-safe.
   */
  CompletableFuture<Void> send(TensorHeader header, ByteBuffer payload);

  /** Closes this connection; the peer sees the link lost. */
  @Override
  void close();
}
