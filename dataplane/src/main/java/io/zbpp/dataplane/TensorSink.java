package io.zbpp.dataplane;

/**
 * Where a {@link DataPlane} delivers what it receives. Called on the plane's I/O threads: implementations hand
 * the tensor on (to an actor, a queue) and return quickly; {@link TensorInbox} is the ready-made one.
 */
public interface TensorSink {
  /** A tensor arrived on {@code link}; the receiver owns it and must {@link ReceivedTensor#release()} it. */
  void onTensor(DataLink link, ReceivedTensor tensor);

  /** An established link went down without this side closing it (peer stopped, network, protocol error). */
  void onLinkLost(DataLink link, Throwable cause);
}
