package io.zbpp.transport;

import io.zbpp.dataplane.DataAddress;
import io.zbpp.dataplane.DataLink;
import io.zbpp.dataplane.DataPlaneConfig;
import io.zbpp.dataplane.NettyDataPlane;
import io.zbpp.dataplane.ReceivedTensor;
import io.zbpp.dataplane.TensorHeader;
import io.zbpp.dataplane.TensorSink;
import io.zbpp.protocol.msg.TensorFrame;
import io.zbpp.protocol.msg.TensorKey;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.ExtendedActorSystem;

/**
 * The receiving JVM of {@code zbpp bench transport}. It listens on all three transports and, for every message
 * that has fully arrived, answers with a small ack that carries {@link System#nanoTime()} at arrival (the two
 * JVMs run on one machine, where the monotonic clock is shared, so the sender can take one-way latencies).
 * It prints {@code READY raw=P netty=P artery=P tls=P} once listening (tls=0 without a TLS directory) and
 * exits when its standard input closes, so it cannot outlive the benchmark that started it.
 *
 * <p>Usage: {@code TransportPeer MAX_BYTES [TLS_DIR]}.
 */
public final class TransportPeer {
  private TransportPeer() {}

  public static void main(String[] args) throws Exception {
    long maxBytes = Long.parseLong(args[0]);
    ServerSocketChannel raw = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    Thread rawThread = new Thread(() -> serveRaw(raw), "raw-socket-peer");
    rawThread.setDaemon(true);
    rawThread.start();
    NettyDataPlane netty = NettyDataPlane.create("peer", DataPlaneConfig.plain(), new Echo());
    DataAddress nettyAddress = netty.bind("127.0.0.1", 0);
    NettyDataPlane tls = args.length > 1
        ? NettyDataPlane.create("peer-tls", DataPlaneConfig.plain().withTls(Path.of(args[1])), new Echo())
        : null;
    int tlsPort = tls == null ? 0 : tls.bind("127.0.0.1", 0).port();
    ActorSystem system = ActorSystem.create("bench", Artery.config(maxBytes));
    system.actorOf(Props.create(ArterySink.class), Artery.CHUNKED);
    system.actorOf(Props.create(ArterySink.class), Artery.LARGE);
    int arteryPort = ((ExtendedActorSystem) system).provider().getDefaultAddress().getPort().get();
    System.out.println("READY raw=" + ((InetSocketAddress) raw.getLocalAddress()).getPort() + " netty="
        + nettyAddress.port() + " artery=" + arteryPort + " tls=" + tlsPort);
    System.out.flush();
    while (System.in.read() >= 0) {
      // until the parent closes our stdin or dies
    }
    netty.close();
    if (tls != null) {
      tls.close();
    }
    system.terminate();
    System.exit(0);
  }

  /** Raw socket: {@code int length, long seq, payload} in; {@code long seq, long arrivalNanos} back. */
  private static void serveRaw(ServerSocketChannel server) {
    try {
      while (true) {
        SocketChannel ch = server.accept();
        ch.socket().setTcpNoDelay(true);
        Thread t = new Thread(() -> rawConnection(ch), "raw-socket-connection");
        t.setDaemon(true);
        t.start();
      }
    } catch (IOException e) {
      // closed: the peer is exiting
    }
  }

  private static void rawConnection(SocketChannel ch) {
    ByteBuffer head = ByteBuffer.allocateDirect(12);
    ByteBuffer ack = ByteBuffer.allocateDirect(16);
    ByteBuffer payload = ByteBuffer.allocateDirect(1);
    try (ch) {
      while (true) {
        head.clear();
        RawSocket.readFully(ch, head);
        int length = head.getInt(0);
        long seq = head.getLong(4);
        if (payload.capacity() < length) {
          payload = ByteBuffer.allocateDirect(length);
        }
        payload.clear().limit(length);
        RawSocket.readFully(ch, payload);
        long arrival = System.nanoTime();
        ack.clear();
        ack.putLong(0, seq).putLong(8, arrival);
        RawSocket.writeFully(ch, ack);
      }
    } catch (EOFException e) {
      // the sender closed the connection
    } catch (IOException e) {
      System.err.println("raw socket peer: " + e);
    }
  }

  /** Data plane: releases each tensor on arrival and answers with an ack tensor of 8 bytes. */
  private static final class Echo implements TensorSink {
    @Override
    public void onTensor(DataLink link, ReceivedTensor tensor) {
      long arrival = System.nanoTime();
      TensorHeader h = tensor.header();
      tensor.release();
      TensorKey key = TensorKey.gradient(h.key().iteration(), h.key().microbatch(), h.key().chunk());
      link.send(new TensorHeader(h.job(), key, List.of(2)), ByteBuffer.allocate(8).putLong(0, arrival));
    }

    @Override
    public void onLinkLost(DataLink link, Throwable cause) {
      // the sender finished or died; nothing to clean up
    }
  }

  /** Artery: answers the last part of each tensor with an ack frame carrying the arrival time. */
  public static final class ArterySink extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder().match(TensorFrame.class, f -> {
        if (f.part() == f.parts() - 1) {
          long arrival = System.nanoTime();
          getSender().tell(ArteryProbe.ack(f, arrival), getSelf());
        }
      }).build();
    }
  }
}
