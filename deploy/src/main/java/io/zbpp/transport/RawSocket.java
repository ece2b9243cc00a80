package io.zbpp.transport;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The baseline: a blocking JDK {@link SocketChannel} writing {@code int length, long seq} and the payload from
 * one direct buffer; the peer reads each message into one reused direct buffer. Nothing can move bytes
 * between two JVMs over loopback TCP much faster, so the other transports are reported as a ratio to it.
 */
final class RawSocket implements Probe {
  private final SocketChannel ch;
  private final ByteBuffer payload;
  private final ByteBuffer head = ByteBuffer.allocateDirect(12);
  private final ByteBuffer ack = ByteBuffer.allocateDirect(16);

  RawSocket(int port, ByteBuffer payload) throws IOException {
    this.ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
    ch.socket().setTcpNoDelay(true);
    this.payload = payload;
  }

  @Override
  public String transport() {
    return "raw-socket";
  }

  @Override
  public void send(long seq, int bytes) throws IOException {
    head.clear();
    head.putInt(0, bytes).putLong(4, seq);
    writeFully(ch, head);
    writeFully(ch, payload.duplicate().position(0).limit(bytes));
  }

  @Override
  public long awaitAck() throws IOException {
    ack.clear();
    readFully(ch, ack);
    return ack.getLong(8);
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }

  static void readFully(SocketChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new EOFException("raw socket closed");
      }
    }
  }

  static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}
