package io.zbpp.transport;

import com.google.protobuf.ByteString;
import io.zbpp.protocol.msg.TensorFrame;
import io.zbpp.protocol.msg.TensorFrames;
import io.zbpp.protocol.msg.TensorKey;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;

/**
 * Tensors as Pekko messages over Artery, as the runtime sends them between actors: {@link TensorFrame}s
 * (protobuf, the zbpp serializer) either split into {@link TensorFrames#DEFAULT_FRAME_BYTES} parts on the
 * ordinary channel ({@code artery-chunked}) or whole on the large-message channel ({@code artery-large}).
 * The frames of a size are built once and reused, so the figures leave out the runtime's copy into frames
 * (in Artery's favour).
 */
final class ArteryProbe implements Probe {
  private final String transport;
  private final ActorRef sink;
  private final ActorRef acks;
  private final ByteBuffer payload;
  private final boolean chunked;
  private final LinkedBlockingQueue<Long> arrivals;
  private int framesBytes = -1;
  private List<TensorFrame> frames = List.of();

  private ArteryProbe(String transport, ActorRef sink, ActorRef acks, LinkedBlockingQueue<Long> arrivals,
      ByteBuffer payload, boolean chunked) {
    this.transport = transport;
    this.sink = sink;
    this.acks = acks;
    this.arrivals = arrivals;
    this.payload = payload;
    this.chunked = chunked;
  }

  /** A probe sending to the peer's sink {@code name} ({@link Artery#CHUNKED} or {@link Artery#LARGE}). */
  static ArteryProbe open(ActorSystem system, int port, String name, ByteBuffer payload) throws Exception {
    String path = "pekko://bench@127.0.0.1:" + port + "/user/" + name;
    ActorRef sink = system.actorSelection(path).resolveOne(Duration.ofSeconds(30)).toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
    ActorRef acks = system.actorOf(Props.create(Acks.class, arrivals));
    boolean chunked = name.equals(Artery.CHUNKED);
    return new ArteryProbe("artery-" + name, sink, acks, arrivals, payload, chunked);
  }

  static TensorFrame ack(TensorFrame f, long arrival) {
    ByteString t = ByteString.copyFrom(ByteBuffer.allocate(8).putLong(0, arrival));
    return new TensorFrame(f.job(), TensorKey.gradient(f.key().iteration(), f.key().microbatch(), 0), 0, 1,
        List.of(2), t);
  }

  @Override
  public String transport() {
    return transport;
  }

  @Override
  public void send(long seq, int bytes) {
    for (TensorFrame f : frames(bytes)) {
      sink.tell(f, acks);
    }
  }

  @Override
  public long awaitAck() throws InterruptedException {
    Long a = arrivals.poll(60, TimeUnit.SECONDS);
    if (a == null) {
      throw new IllegalStateException(transport + ": no ack within 60 s (a message dropped?)");
    }
    return a;
  }

  @Override
  public void close() {
    acks.tell(org.apache.pekko.actor.PoisonPill.getInstance(), ActorRef.noSender());
  }

  private List<TensorFrame> frames(int bytes) {
    if (bytes != framesBytes) {
      int per = chunked ? TensorFrames.DEFAULT_FRAME_BYTES : bytes;
      int parts = Math.max(1, (bytes + per - 1) / per);
      List<TensorFrame> fs = new ArrayList<>(parts);
      for (int p = 0; p < parts; p++) {
        int from = p * per;
        int to = Math.min(bytes, from + per);
        ByteString data = ByteString.copyFrom(payload.duplicate().position(from).limit(to));
        fs.add(new TensorFrame(NettyProbe.JOB, TensorKey.activation(0, 0, 0), p, parts, List.of(bytes / 4), data));
      }
      frames = fs;
      framesBytes = bytes;
    }
    return frames;
  }

  /** Puts the arrival time of each ack into the probe's queue. */
  public static final class Acks extends AbstractActor {
    private final LinkedBlockingQueue<Long> arrivals;

    public Acks(LinkedBlockingQueue<Long> arrivals) {
      this.arrivals = arrivals;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder().match(TensorFrame.class,
          f -> arrivals.add(f.data().asReadOnlyByteBuffer().getLong(0))).build();
    }
  }
}
