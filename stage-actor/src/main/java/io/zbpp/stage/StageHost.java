package io.zbpp.stage;

import io.zbpp.protocol.cluster.DescribeHost;
import io.zbpp.protocol.cluster.HostDescribed;
import io.zbpp.protocol.cluster.SpawnFailed;
import io.zbpp.protocol.cluster.SpawnStages;
import io.zbpp.protocol.cluster.StageHostCommand;
import io.zbpp.protocol.cluster.StageHosts;
import io.zbpp.protocol.cluster.StageSlot;
import io.zbpp.protocol.cluster.StagesSpawned;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.StageCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * A worker's stage host (docs/cluster.md): registers with the Receptionist under {@link StageHosts#KEY},
 * describes its devices and spawns stage actors on request, at most one per device. A device is busy from
 * the moment its stage is spawned until that stage actor stops (it is watched); a request naming a busy or
 * unknown device fails as a whole, so a job never gets half its stages from one host.
 */
public final class StageHost {
  /** Builds the behavior of stage {@code stage} of {@code job} on device {@code device} of this worker. */
  @FunctionalInterface
  public interface StageFactory {
    Behavior<StageCommand> create(JobEpoch job, int stage, int device);
  }

  private record Occupant(JobEpoch job, int stage, ActorRef<StageCommand> ref) {}

  private final ActorContext<StageHostCommand> ctx;
  private final int devices;
  private final String backend;
  private final StageFactory factory;
  private final String node;
  private final Map<Integer, Occupant> busy = new TreeMap<>();

  private StageHost(ActorContext<StageHostCommand> ctx, int devices, String backend, StageFactory factory) {
    this.ctx = ctx;
    this.devices = devices;
    this.backend = backend;
    this.factory = factory;
    this.node = ctx.getSystem().address().toString();
  }

  /**
   * A stage host with {@code devices} devices of {@code backend} (cpu, cuda, emulated), registered with the
   * Receptionist as soon as it starts.
   */
  public static Behavior<StageHostCommand> create(int devices, String backend, StageFactory factory) {
    if (devices < 1) {
      throw new IllegalArgumentException("devices [" + devices + "]: must be at least 1");
    }
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(StageHosts.KEY, ctx.getSelf()));
      ctx.getLog().info("stage host up with {} {} device(s)", devices, backend);
      return new StageHost(ctx, devices, backend, factory).serving();
    });
  }

  private Behavior<StageHostCommand> serving() {
    return Behaviors.receive(StageHostCommand.class)
        .onMessage(DescribeHost.class, this::onDescribe)
        .onMessage(SpawnStages.class, this::onSpawn)
        .onSignal(Terminated.class, this::onStageStopped)
        .build();
  }

  private Behavior<StageHostCommand> onDescribe(DescribeHost d) {
    List<Integer> free = IntStream.range(0, devices).filter(i -> !busy.containsKey(i)).boxed().toList();
    d.replyTo().tell(new HostDescribed(ctx.getSelf(), node, devices, free, backend));
    return Behaviors.same();
  }

  private Behavior<StageHostCommand> onSpawn(SpawnStages s) {
    String refused = refusal(s.slots());
    if (refused != null) {
      ctx.getLog().warn("job {}: refused stages {}: {}", s.job(), s.slots(), refused);
      s.replyTo().tell(new SpawnFailed(s.job(), node, refused));
      return Behaviors.same();
    }
    List<StagesSpawned.Spawned> spawned = new ArrayList<>();
    for (StageSlot slot : s.slots()) {
      ActorRef<StageCommand> ref;
      try {
        ref = ctx.spawn(factory.create(s.job(), slot.stage(), slot.device()), actorName(s.job(), slot.stage()));
      } catch (RuntimeException e) {
        spawned.forEach(x -> ctx.stop(x.ref()));
        s.replyTo().tell(new SpawnFailed(s.job(), node, "stage " + slot.stage() + " on device " + slot.device()
            + " did not start: " + e.getMessage()));
        return Behaviors.same();
      }
      ctx.watch(ref);
      busy.put(slot.device(), new Occupant(s.job(), slot.stage(), ref));
      spawned.add(new StagesSpawned.Spawned(slot.stage(), slot.device(), ref));
      ctx.getLog().info("job {}: stage {} on device {}", s.job(), slot.stage(), slot.device());
    }
    s.replyTo().tell(new StagesSpawned(s.job(), node, spawned));
    return Behaviors.same();
  }

  /** Why the slots cannot all be served, or null when they can. */
  private String refusal(List<StageSlot> slots) {
    if (slots.isEmpty()) {
      return "no stages requested";
    }
    java.util.Set<Integer> asked = new java.util.HashSet<>();
    for (StageSlot slot : slots) {
      if (slot.device() >= devices) {
        return "device " + slot.device() + ": this worker has devices 0.." + (devices - 1);
      }
      Occupant o = busy.get(slot.device());
      if (o != null) {
        return "device " + slot.device() + " runs stage " + o.stage() + " of " + o.job();
      }
      if (!asked.add(slot.device())) {
        return "device " + slot.device() + " requested twice";
      }
    }
    return null;
  }

  private Behavior<StageHostCommand> onStageStopped(Terminated t) {
    busy.entrySet().removeIf(e -> {
      boolean gone = e.getValue().ref().equals(t.getRef());
      if (gone) {
        ctx.getLog().info("job {}: stage {} on device {} stopped", e.getValue().job(), e.getValue().stage(),
            e.getKey());
      }
      return gone;
    });
    return Behaviors.same();
  }

  /** A unique, URL-safe actor name per job incarnation and stage. */
  static String actorName(JobEpoch job, int stage) {
    return "stage-" + job.jobId().replaceAll("[^A-Za-z0-9_-]", "_") + "-" + job.epoch() + "-" + stage;
  }
}
