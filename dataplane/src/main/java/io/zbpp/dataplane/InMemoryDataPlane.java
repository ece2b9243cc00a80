package io.zbpp.dataplane;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The data plane inside one JVM: {@link DataLink#send} hands the caller's buffer to the receiver's sink
 * directly, on the caller's thread, without a copy; the send completes when the receiver releases it (so the
 * caller may reuse the buffer then, as with {@link NettyDataPlane}). There is no credit limit: the sender's
 * pending futures are the only back-pressure. Planes find each other through a shared {@link Network}.
 */
public final class InMemoryDataPlane implements DataPlane {
  /** The planes of one JVM that can reach each other; addresses are {@code in-memory:N}. */
  public static final class Network {
    private final Map<DataAddress, InMemoryDataPlane> bound = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger(1);
  }

  private final String id;
  private final Network network;
  private final TensorSink sink;
  private final Map<String, CompletableFuture<DataLink>> links = new ConcurrentHashMap<>();
  private volatile DataAddress address;

  private InMemoryDataPlane(String id, Network network, TensorSink sink) {
    this.id = id;
    this.network = network;
    this.sink = sink;
  }

  public static InMemoryDataPlane create(String id, Network network, TensorSink sink) {
    return new InMemoryDataPlane(id, network, sink);
  }

  @Override
  public String id() {
    return id;
  }

  /** Ignores host and port: in-memory addresses are numbered by the network. */
  @Override
  public DataAddress bind(String host, int port) {
    address = new DataAddress("in-memory", network.next.getAndIncrement());
    network.bound.put(address, this);
    return address;
  }

  @Override
  public DataLink connect(DataAddress to) {
    InMemoryDataPlane peer = network.bound.get(to);
    if (peer == null) {
      throw new DataPlaneException("data plane " + id + ": cannot connect to " + to + ": nothing bound there");
    }
    Link mine = new Link(this, peer);
    Link theirs = new Link(peer, this);
    mine.other = theirs;
    theirs.other = mine;
    peer.established(theirs);
    established(mine);
    return mine;
  }

  @Override
  public CompletableFuture<DataLink> link(String peerId) {
    return links.computeIfAbsent(peerId, k -> new CompletableFuture<>());
  }

  @Override
  public void close() {
    if (address != null) {
      network.bound.remove(address);
    }
    links.values().forEach(f -> f.thenAccept(DataLink::close));
  }

  private void established(Link link) {
    CompletableFuture<DataLink> f = link(link.to.id);
    if (!f.complete(link)) {
      links.put(link.to.id, CompletableFuture.completedFuture(link));
    }
  }

  /** One direction of an in-memory link: {@code from}'s end, delivering to {@code to}'s sink. */
  private static final class Link implements DataLink {
    private final InMemoryDataPlane from;
    private final InMemoryDataPlane to;
    private Link other;
    private volatile boolean closed;

    Link(InMemoryDataPlane from, InMemoryDataPlane to) {
      this.from = from;
      this.to = to;
    }

    @Override
    public String peerId() {
      return to.id;
    }

    @Override
    public CompletableFuture<Void> send(TensorHeader header, ByteBuffer payload) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      if (closed) {
        done.completeExceptionally(new DataPlaneException("in-memory data link to " + to.id + " is closed"));
        return done;
      }
      to.sink.onTensor(other, new ReceivedTensor(header, payload.slice(), () -> done.complete(null)));
      return done;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        other.closed = true;
        to.sink.onLinkLost(other, new DataPlaneException("in-memory data link to " + from.id + " closed"));
      }
    }
  }
}
