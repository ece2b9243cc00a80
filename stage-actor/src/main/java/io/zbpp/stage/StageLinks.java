package io.zbpp.stage;

import io.zbpp.dataplane.DataAddress;
import io.zbpp.dataplane.DataLink;
import io.zbpp.dataplane.DataPlane;
import io.zbpp.dataplane.FrameCounts;
import io.zbpp.dataplane.FrameFault;
import io.zbpp.dataplane.FrameFaults;
import io.zbpp.dataplane.ReceivedTensor;
import io.zbpp.dataplane.TensorHeader;
import io.zbpp.dataplane.TensorSink;
import io.zbpp.gpu.pipeline.HostTensor;
import io.zbpp.protocol.msg.DataEndpoint;
import io.zbpp.protocol.msg.DataPeers;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.TensorKey;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A stage actor's tensor data plane (docs/transport.md "In the runtime"): the plane it opened, the links to
 * the stages it exchanges tensors with, and the sink that turns what arrives into messages to the actor.
 *
 * <p>Links: one per pair of stages that hold adjacent model chunks; the lower stage connects to the higher
 * one's address from {@link DataPeers}, the higher one waits for that link under the lower one's plane id. A
 * link outlives a job epoch: a later {@code DataPeers} naming the same plane reuses it. Received tensors are
 * copied into a {@link HostTensor} on the plane's I/O thread and released at once (the stage's inbox holds
 * them until their RECV, as it holds tensors that came over Artery), so no receive buffer is held by a stale
 * epoch; the actor drops tensors of an epoch it does not run.
 */
final class StageLinks implements TensorSink {
  /** Local-only: a tensor arrived on the data plane, already copied out of the receive buffer. */
  record TensorReceived(JobEpoch job, TensorKey key, HostTensor tensor)
      implements StageCommand, NoSerializationVerificationNeeded {}

  /** Local-only: the link to plane {@code peer} is down or could not be made; {@code job} as last linked. */
  record LinkLost(JobEpoch job, String peer, String message)
      implements StageCommand, NoSerializationVerificationNeeded {}

  private final ActorRef<StageCommand> self;
  private final DataPlane plane;
  private final DataEndpoint endpoint;
  private final List<FrameFault> frameFaults;
  /** Links by peer plane id; completed exceptionally when connecting failed. */
  private final Map<String, CompletableFuture<DataLink>> links = new ConcurrentHashMap<>();
  /** The current job's links by peer stage; written by the actor, read by the executor's sends. */
  private volatile Map<Integer, CompletableFuture<DataLink>> byStage = Map.of();
  private volatile Map<String, Integer> stageOfPlane = Map.of();
  private volatile JobEpoch job;

  StageLinks(DataPlaneFactory factory, String id, ActorRef<StageCommand> self) {
    this.self = self;
    DataPlaneFactory.BoundPlane bound = factory.open(id, this);
    this.plane = bound.plane();
    this.endpoint = new DataEndpoint(plane.id(), bound.address().toString());
    this.frameFaults = factory.frameFaults();
  }

  /**
   * Whether this plane can inject {@code injected} (the job's frame injections) beside the factory's faults: empty,
   * or the one line that says why not (the in-memory plane neither drops nor corrupts).
   */
  Optional<String> refuses(int stage, List<FrameFault> injected) {
    try {
      plane.frameFaults(faults(stage, injected));
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  private FrameFaults faults(int stage, List<FrameFault> injected) {
    List<FrameFault> all = new java.util.ArrayList<>(frameFaults);
    all.addAll(injected);
    return FrameFaults.of(stage, all);
  }

  /** What the plane's integrity checks found so far. */
  FrameCounts frameCounts() {
    return plane.frameCounts();
  }

  /** What this stage reports in {@code ProgramLoaded}. */
  DataEndpoint endpoint() {
    return endpoint;
  }

  /** The stage a peer plane belongs to in the current job, or −1. */
  int stageOf(String peer) {
    return stageOfPlane.getOrDefault(peer, -1);
  }

  /** Whether tensors of {@code j} go over the data plane (its DataPeers arrived). */
  boolean linked(JobEpoch j) {
    return j.equals(job);
  }

  /**
   * Links this stage to its neighbours in {@code peers}: connects (on {@code connector}, since connecting
   * blocks until the peer accepts) to each higher neighbour, waits for each lower one to connect.
   */
  void link(DataPeers peers, int stage, List<Integer> chunkStage, Executor connector, List<FrameFault> injected) {
    if (job == null || !peers.job().jobId().equals(job.jobId())) {
      plane.frameFaults(faults(stage, injected)); // a later epoch keeps them: each fires once per job
    }
    Map<Integer, CompletableFuture<DataLink>> next = new HashMap<>();
    Map<String, Integer> planes = new HashMap<>();
    for (int n : neighbours(stage, chunkStage)) {
      DataEndpoint peer = peers.stages().get(n);
      planes.put(peer.plane(), n);
      CompletableFuture<DataLink> f = links.computeIfAbsent(peer.plane(), id -> n > stage
          ? CompletableFuture.supplyAsync(() -> plane.connect(DataAddress.parse(peer.address())), connector)
          : plane.link(id));
      f.whenComplete((l, e) -> {
        if (e != null) {
          links.remove(peer.plane(), f);
          self.tell(new LinkLost(peers.job(), peer.plane(), "cannot link to " + peer.address() + ": "
              + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())));
        }
      });
      next.put(n, f);
    }
    stageOfPlane = Map.copyOf(planes);
    byStage = Map.copyOf(next);
    job = peers.job();
  }

  /** The stages holding a chunk next to one of {@code stage}'s: the only ones it sends tensors to. */
  static TreeSet<Integer> neighbours(int stage, List<Integer> chunkStage) {
    TreeSet<Integer> n = new TreeSet<>();
    for (int c = 0; c + 1 < chunkStage.size(); c++) {
      int a = chunkStage.get(c);
      int b = chunkStage.get(c + 1);
      if (a == stage && b != stage) {
        n.add(b);
      } else if (b == stage && a != stage) {
        n.add(a);
      }
    }
    return n;
  }

  /** Sends over the link to {@code to}; a send that fails reports the link lost. Called on the executor. */
  Batch.Sender sender(JobEpoch j) {
    return (to, key, t) -> {
      CompletableFuture<DataLink> link = byStage.get(to);
      if (link == null) {
        throw new IllegalStateException("no data link to stage " + to + " (not a neighbour in " + j + ")");
      }
      ByteBuffer payload = ByteBuffer.allocate(t.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
      payload.asFloatBuffer().put(t.data());
      TensorHeader header = new TensorHeader(j, key, Arrays.stream(t.shape()).boxed().toList());
      link.thenCompose(l -> l.send(header, payload)).whenComplete((v, e) -> {
        if (e != null) {
          self.tell(new LinkLost(j, peerOf(to), "sending " + key + " failed: "
              + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())));
        }
      });
    };
  }

  private String peerOf(int stage) {
    return stageOfPlane.entrySet().stream().filter(e -> e.getValue() == stage).map(Map.Entry::getKey)
        .findFirst().orElse("?");
  }

  @Override
  public void onTensor(DataLink link, ReceivedTensor tensor) {
    TensorHeader h = tensor.header();
    try {
      int[] shape = h.shape().stream().mapToInt(Integer::intValue).toArray();
      self.tell(new TensorReceived(h.job(), h.key(), new HostTensor(shape, tensor.floats())));
    } finally {
      tensor.release();
    }
  }

  @Override
  public void onLinkLost(DataLink link, Throwable cause) {
    links.remove(link.peerId());
    JobEpoch j = job;
    self.tell(new LinkLost(j, link.peerId(), cause.getMessage()));
  }

  void close() {
    plane.close();
  }
}
