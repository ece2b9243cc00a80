package io.zbpp.dataplane;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One connection between two neighbouring stages, usable in both directions: activations one way, gradients
 * the other. Sends are delivered in order, each once and intact: a frame that arrives corrupt or not at all is
 * sent again, a copy is dropped (docs/transport.md "Integrity").
 */
public interface DataLink extends AutoCloseable {
  /** The {@link DataPlane#id()} of the plane at the other end. */
  String peerId();

  /**
   * Sends one tensor. The future completes once the peer acknowledged it intact (or, in memory, once the
   * receiver released it): only then may the caller reuse {@code payload}, which the link keeps until then to
   * send it again if needed. It fails with a {@link DataPlaneException} when the link is lost first. The payload's position and limit are not changed. A direct buffer goes to the
   * socket without a copy; a heap buffer is copied once into pooled direct memory. Thread-safe.
   */
  CompletableFuture<Void> send(TensorHeader header, ByteBuffer payload);

  /** Closes this connection; the peer sees the link lost. */
  @Override
  void close();
}
