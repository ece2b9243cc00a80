package io.zbpp.dataplane;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The data plane across processes: Netty over TCP (NIO), one {@link NettyLink} per connection with a
 * {@link FrameDecoder} reading into reused receive buffers, credit-based back-pressure, and TLS with mutual
 * authentication when {@link DataPlaneConfig#tlsDir()} is set. Tensor frames carry sequence numbers and CRC32Cs;
 * corrupt or missing frames are sent again and copies dropped ({@link NettyLink}), so the sink gets each tensor
 * once, intact, in the order it was sent. Plain TCP is refused on any address but loopback
 * unless {@link DataPlaneConfig#insecure()}.
 */
public final class NettyDataPlane implements DataPlane {
  private static final int IO_THREADS = 2;

  private final String id;
  private final DataPlaneConfig config;
  private final TensorSink sink;
  private final Optional<PemTls> tls;
  private final EventLoopGroup group;
  private final Map<String, CompletableFuture<DataLink>> links = new ConcurrentHashMap<>();
  private final Set<NettyLink> open = ConcurrentHashMap.newKeySet();
  private final FrameCounters counters = new FrameCounters();
  private final DeliveredKeys delivered = new DeliveredKeys();
  private volatile FrameFaults faults = FrameFaults.NONE;
  private volatile Channel server;
  private volatile boolean closing;

  private NettyDataPlane(String id, DataPlaneConfig config, TensorSink sink) {
    this.id = id;
    this.config = config;
    this.sink = sink;
    this.tls = config.tlsDir().map(PemTls::load);
    this.group = new NioEventLoopGroup(IO_THREADS, new DefaultThreadFactory("zbpp-dataplane-" + id, true));
  }

  /** A plane named {@code id} delivering to {@code sink}; it neither listens nor connects yet. */
  public static NettyDataPlane create(String id, DataPlaneConfig config, TensorSink sink) {
    return new NettyDataPlane(id, config, sink);
  }

  @Override
  public String id() {
    return id;
  }

  /** Whether links run TLS. */
  public boolean secure() {
    return tls.isPresent();
  }

  @Override
  public DataAddress bind(String host, int port) {
    checkPlainAllowed(host);
    ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(initializer(null));
    ChannelFuture f = b.bind(host, port).awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new DataPlaneException("data plane " + id + ": cannot listen on " + new DataAddress(host, port) + ": "
          + f.cause().getMessage(), f.cause());
    }
    server = f.channel();
    return new DataAddress(host, ((InetSocketAddress) server.localAddress()).getPort());
  }

  @Override
  public DataLink connect(DataAddress address) {
    checkPlainAllowed(address.host());
    CompletableFuture<NettyLink> up = new CompletableFuture<>();
    Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
        .handler(initializer(address, up));
    ChannelFuture f = b.connect(address.host(), address.port());
    f.addListener(c -> {
      if (!c.isSuccess()) {
        up.completeExceptionally(c.cause());
      }
    });
    try {
      return up.get(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new DataPlaneException("data plane " + id + ": cannot connect to " + address + ": "
          + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      f.channel().close();
      throw new DataPlaneException("data plane " + id + ": " + address + " did not accept the link within "
          + config.connectTimeout().toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.channel().close();
      throw new DataPlaneException("data plane " + id + ": interrupted while connecting to " + address);
    }
  }

  @Override
  public CompletableFuture<DataLink> link(String peerId) {
    return links.computeIfAbsent(peerId, k -> new CompletableFuture<>());
  }

  @Override
  public void frameFaults(FrameFaults f) {
    faults = Objects.requireNonNull(f, "faults");
  }

  @Override
  public FrameCounts frameCounts() {
    return counters.snapshot();
  }

  @Override
  public void close() {
    closing = true;
    Channel s = server;
    if (s != null) {
      s.close().awaitUninterruptibly();
    }
    open.forEach(NettyLink::close);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  // ---- for the links

  TensorSink sink() {
    return sink;
  }

  FrameFaults frameFaults() {
    return faults;
  }

  FrameCounters counters() {
    return counters;
  }

  Duration retransmitTimeout() {
    return config.retransmitTimeout();
  }

  /** Hands a tensor to the sink, unless its key was delivered before: then it is a copy, released and counted. */
  void deliver(NettyLink link, ReceivedTensor tensor) {
    delivered.deliver(sink, link, tensor, counters);
  }

  boolean closing() {
    return closing;
  }

  void established(NettyLink link) {
    CompletableFuture<DataLink> f = links.computeIfAbsent(link.peerId(), k -> new CompletableFuture<>());
    if (!f.complete(link)) {
      links.put(link.peerId(), CompletableFuture.completedFuture(link));
    }
  }

  void removed(NettyLink link) {
    open.remove(link);
    links.computeIfPresent(link.peerId(), (k, f) -> f.getNow(null) == link ? null : f);
  }

  // ---- pipeline

  private ChannelInitializer<SocketChannel> initializer(DataAddress peer) {
    return initializer(peer, null);
  }

  /** [TLS] → frame decoder → link; {@code peer} is null on the accepting side. */
  private ChannelInitializer<SocketChannel> initializer(DataAddress peer, CompletableFuture<NettyLink> up) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        NettyLink link = new NettyLink(NettyDataPlane.this, ch, config.credits());
        open.add(link);
        if (up != null) {
          link.established().whenComplete((l, e) -> {
            if (e != null) {
              up.completeExceptionally(e);
            } else {
              up.complete(l);
            }
          });
        }
        tls.ifPresent(t -> ch.pipeline().addLast(peer == null ? t.server.newHandler(ch.alloc())
            : t.client.newHandler(ch.alloc(), peer.host(), peer.port())));
        FrameDecoder decoder = new FrameDecoder(link);
        if (tls.isEmpty()) {
          ch.config().setRecvByteBufAllocator(decoder.readAllocator());
        }
        ch.pipeline().addLast(decoder, link);
      }
    };
  }

  private void checkPlainAllowed(String host) {
    if (tls.isPresent() || config.insecure()) {
      return;
    }
    boolean loopback;
    try {
      loopback = InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new DataPlaneException("data plane " + id + ": unknown host [" + host + "]");
    }
    if (!loopback) {
      throw new DataPlaneException("data plane " + id + ": plain TCP on [" + host + "] is allowed on loopback only;"
          + " give a TLS directory or allow insecure");
    }
  }
}
