package io.zbpp.dataplane;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The data plane inside one JVM: {@link DataLink#send} hands the caller's buffer to the receiver's sink
 * directly, on the caller's thread, without a copy; the send completes when the receiver releases it (so the
 * caller may reuse the buffer then, as with {@link NettyDataPlane}). There is no credit limit: the sender's
 * pending futures are the only back-pressure. Planes find each other through a shared {@link Network}.
 *
 * <p>Nothing is lost or corrupted in memory, so there is nothing to check or resend; a tensor whose key was
 * delivered before is dropped as a copy, as on the Netty plane. Of the {@link FrameFaults}, it injects
 * duplicate, delay and reorder; drop and corrupt need a plane that can detect and resend them.
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
  private final FrameCounters counters = new FrameCounters();
  private final DeliveredKeys delivered = new DeliveredKeys();
  private volatile FrameFaults faults = FrameFaults.NONE;
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

  /** @throws IllegalArgumentException for drop-frame and corrupt-frame ({@link #checkFaults}) */
  @Override
  public void frameFaults(FrameFaults f) {
    checkFaults(f.faults());
    faults = f;
  }

  /**
   * Refuses drop-frame and corrupt-frame: nothing is lost or corrupted in memory, so nothing would detect them.
   *
   * @throws IllegalArgumentException naming the fault and where it can be injected
   */
  public static void checkFaults(java.util.List<FrameFault> faults) {
    for (FrameFault x : faults) {
      if (x.kind() == FrameFault.Kind.DROP || x.kind() == FrameFault.Kind.CORRUPT) {
        throw new IllegalArgumentException(x + ": the in-memory data plane loses and corrupts nothing, so it has"
            + " nothing to detect; inject " + x.kind().flag() + " on the netty data plane");
      }
    }
  }

  @Override
  public FrameCounts frameCounts() {
    return counters.snapshot();
  }

  @Override
  public void close() {
    if (address != null) {
      network.bound.remove(address);
    }
    links.values().forEach(f -> f.thenAccept(DataLink::close));
  }

  private void deliver(DataLink link, ReceivedTensor tensor) {
    delivered.deliver(sink, link, tensor, counters);
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
    /** A tensor held back by a reorder fault until the next send (or {@link FrameFault.Kind#REORDER_WAIT_MILLIS}). */
    private Runnable reordered;

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
      ByteBuffer data = payload.slice();
      Runnable delivery = () -> to.deliver(other, new ReceivedTensor(header, data, () -> done.complete(null)));
      Optional<FrameFault> fault = from.faults.next(header);
      Runnable held = takeReordered();
      if (fault.isEmpty()) {
        delivery.run();
      } else {
        inject(fault.get(), delivery);
      }
      if (held != null) {
        held.run();
      }
      return done;
    }

    private void inject(FrameFault fault, Runnable delivery) {
      from.counters.injected.increment();
      switch (fault.kind()) {
        case DUPLICATE -> {
          delivery.run();
          delivery.run();
        }
        case DELAY -> CompletableFuture.delayedExecutor(fault.factor(), TimeUnit.MILLISECONDS).execute(delivery);
        case REORDER -> hold(delivery);
        case DROP, CORRUPT -> throw new IllegalStateException("refused by frameFaults: " + fault);
      }
    }

    private synchronized Runnable takeReordered() {
      Runnable r = reordered;
      reordered = null;
      return r;
    }

    /** Holds {@code delivery} until the next send, or delivers it after the reorder wait if none comes. */
    private synchronized void hold(Runnable delivery) {
      reordered = delivery;
      CompletableFuture.delayedExecutor(FrameFault.Kind.REORDER_WAIT_MILLIS, TimeUnit.MILLISECONDS).execute(() -> {
        Runnable r;
        synchronized (this) {
          r = reordered == delivery ? takeReordered() : null;
        }
        if (r != null) {
          r.run();
        }
      });
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
