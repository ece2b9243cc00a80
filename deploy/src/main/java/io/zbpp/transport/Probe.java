package io.zbpp.transport;

/**
 * The sending side of one transport in {@code zbpp bench transport}. Messages are acknowledged in order, each
 * ack carrying the peer's {@link System#nanoTime()} when the whole message had arrived.
 */
interface Probe extends AutoCloseable {
  /** The row name: {@code raw-socket}, {@code netty}, {@code artery-chunked}, {@code artery-large}. */
  String transport();

  /** Starts sending message {@code seq} of {@code bytes} bytes; may return before it has left. */
  void send(long seq, int bytes) throws Exception;

  /** Waits for the next ack and returns the peer's arrival time of that message. */
  long awaitAck() throws Exception;

  @Override
  void close() throws Exception;
}
