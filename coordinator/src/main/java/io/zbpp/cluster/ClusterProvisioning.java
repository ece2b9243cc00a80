package io.zbpp.cluster;

import io.zbpp.protocol.cluster.DescribeHost;
import io.zbpp.protocol.cluster.HostDescribed;
import io.zbpp.protocol.cluster.ProvisioningEvent;
import io.zbpp.protocol.cluster.SpawnFailed;
import io.zbpp.protocol.cluster.SpawnStages;
import io.zbpp.protocol.cluster.StageHostCommand;
import io.zbpp.protocol.cluster.StageHosts;
import io.zbpp.protocol.cluster.StageSlot;
import io.zbpp.protocol.cluster.StagesSpawned;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StopStage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiPredicate;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * One provisioning of one job on the cluster's workers, as a short-lived actor (docs/cluster.md "Placement"):
 * finds the stage hosts through the Receptionist, asks each for its free devices, waits until they hold enough
 * devices (re-asking every {@link #RETRY}, since the previous job's stages may still be stopping), places the
 * stages ({@link StagePlacement}), asks every chosen host to spawn its stages and answers {@link Provisioned}
 * with the stage references in stage order — or {@link ProvisioningFailed} with one line when the timeout
 * passes first or a host refuses (then the stages already spawned are stopped). Stops after answering.
 *
 * <p>States: waiting for devices → spawning → stopped.
 */
public final class ClusterProvisioning {
  /** How often free devices are asked for again while too few are free. */
  static final Duration RETRY = Duration.ofMillis(500);

  /** The answer: a placement with one stage reference per stage, or a failure. */
  public sealed interface Outcome extends NoSerializationVerificationNeeded permits Provisioned, ProvisioningFailed {
    JobEpoch job();
  }

  /** Every stage spawned: {@code stages} in stage order, where {@code placement} put them. */
  public record Provisioned(JobEpoch job, List<ActorRef<StageCommand>> stages, StagePlacement placement)
      implements Outcome {
    public Provisioned {
      stages = List.copyOf(stages);
    }
  }

  /** No placement: {@code message} names what is missing. */
  public record ProvisioningFailed(JobEpoch job, String message) implements Outcome {
    public ProvisioningFailed {
      Objects.requireNonNull(message, "message");
    }
  }

  /** Local-only: the Receptionist's current set of stage hosts. */
  private record HostsListed(Set<ActorRef<StageHostCommand>> hosts)
      implements ProvisioningEvent, NoSerializationVerificationNeeded {}

  private enum Tick implements ProvisioningEvent, NoSerializationVerificationNeeded { RETRY, TIMEOUT }

  private final ActorContext<ProvisioningEvent> ctx;
  private final TimerScheduler<ProvisioningEvent> timers;
  private final JobEpoch job;
  private final int stages;
  private final String backend;
  private final Duration timeout;
  private final ActorRef<Outcome> replyTo;
  private final BiPredicate<ActorSystem<?>, String> serving;
  private Set<ActorRef<StageHostCommand>> hosts = Set.of();
  private final Map<ActorRef<StageHostCommand>, HostDescribed> described = new HashMap<>();

  private ClusterProvisioning(ActorContext<ProvisioningEvent> ctx, TimerScheduler<ProvisioningEvent> timers,
      JobEpoch job, int stages, String backend, Duration timeout, BiPredicate<ActorSystem<?>, String> serving,
      ActorRef<Outcome> replyTo) {
    this.serving = serving;
    this.ctx = ctx;
    this.timers = timers;
    this.job = job;
    this.stages = stages;
    this.backend = backend;
    this.timeout = timeout;
    this.replyTo = replyTo;
  }

  /**
   * Provisions {@code stages} stages of {@code job} on workers of {@code backend} (any when empty) within
   * {@code timeout} and answers {@code replyTo} once.
   */
  public static Behavior<ProvisioningEvent> create(JobEpoch job, int stages, String backend, Duration timeout,
      ActorRef<Outcome> replyTo) {
    return create(job, stages, backend, timeout, EVERY_NODE, replyTo);
  }

  /** Every worker serves (a cluster that knows no member states: tests). */
  public static final BiPredicate<ActorSystem<?>, String> EVERY_NODE = (system, node) -> true;

  /**
   * As {@link #create(JobEpoch, int, String, Duration, ActorRef)}, placing stages only on the workers at the
   * addresses {@code serving} accepts (on a cluster: the Up members).
   */
  public static Behavior<ProvisioningEvent> create(JobEpoch job, int stages, String backend, Duration timeout,
      BiPredicate<ActorSystem<?>, String> serving, ActorRef<Outcome> replyTo) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ActorRef<Receptionist.Listing> listings = ctx.messageAdapter(Receptionist.Listing.class,
          l -> new HostsListed(l.getServiceInstances(StageHosts.KEY)));
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(StageHosts.KEY, listings));
      timers.startSingleTimer(Tick.TIMEOUT, Tick.TIMEOUT, timeout);
      timers.startTimerWithFixedDelay(Tick.RETRY, Tick.RETRY, RETRY);
      return new ClusterProvisioning(ctx, timers, job, stages, backend, timeout, serving, replyTo).waiting();
    }));
  }

  private Behavior<ProvisioningEvent> waiting() {
    return Behaviors.receive(ProvisioningEvent.class)
        .onMessage(HostsListed.class, this::onHosts)
        .onMessage(HostDescribed.class, this::onDescribed)
        .onMessageEquals(Tick.RETRY, () -> {
          hosts.forEach(h -> h.tell(new DescribeHost(ctx.getSelf())));
          return Behaviors.same();
        })
        .onMessageEquals(Tick.TIMEOUT, () -> fail(notEnough() + " within " + seconds(timeout), List.of()))
        .onMessage(StagesSpawned.class, s -> Behaviors.same())
        .onMessage(SpawnFailed.class, s -> Behaviors.same())
        .build();
  }

  private Behavior<ProvisioningEvent> onHosts(HostsListed l) {
    hosts = l.hosts();
    described.keySet().retainAll(hosts);
    hosts.forEach(h -> h.tell(new DescribeHost(ctx.getSelf())));
    return Behaviors.same();
  }

  private Behavior<ProvisioningEvent> onDescribed(HostDescribed d) {
    if (!hosts.contains(d.host())) {
      return Behaviors.same();
    }
    described.put(d.host(), d);
    StagePlacement placement;
    try {
      placement = StagePlacement.place(workers(), stages);
    } catch (StagePlacement.NotEnoughDevices e) {
      return Behaviors.same();
    }
    timers.cancel(Tick.RETRY);
    Map<String, ActorRef<StageHostCommand>> byNode = new HashMap<>();
    eligible().forEach(h -> byNode.put(h.node(), h.host()));
    for (String node : placement.nodes()) {
      List<StageSlot> slots = placement.on(node).stream().map(s -> new StageSlot(s.stage(), s.device())).toList();
      byNode.get(node).tell(new SpawnStages(job, slots, ctx.getSelf()));
    }
    ctx.getLog().info("job {}: placing {} stages on {} worker(s)", job, stages, placement.nodes().size());
    return spawning(placement, new LinkedHashMap<>());
  }

  private List<StagePlacement.Worker> workers() {
    return eligible().map(h -> new StagePlacement.Worker(h.node(), h.freeDevices())).toList();
  }

  /**
   * The described hosts whose backend is the job's, on workers still {@code serving}: a worker that is leaving
   * (SIGTERM, a pod being deleted) still answers, but its stages would be lost at once.
   */
  private java.util.stream.Stream<HostDescribed> eligible() {
    return described.values().stream().filter(h -> (backend.isEmpty() || h.backend().equals(backend))
        && serving.test(ctx.getSystem(), h.node()));
  }

  private Behavior<ProvisioningEvent> spawning(StagePlacement placement, Map<Integer, ActorRef<StageCommand>> got) {
    return Behaviors.receive(ProvisioningEvent.class)
        .onMessage(StagesSpawned.class, s -> {
          if (!s.job().equals(job)) {
            return Behaviors.same();
          }
          s.stages().forEach(x -> got.put(x.stage(), x.ref()));
          if (got.size() < stages) {
            return Behaviors.same();
          }
          List<ActorRef<StageCommand>> refs = new ArrayList<>();
          for (int st = 0; st < stages; st++) {
            refs.add(got.get(st));
          }
          ctx.getLog().info("job {}: stages placed\n{}", job, placement);
          replyTo.tell(new Provisioned(job, refs, placement));
          return Behaviors.stopped();
        })
        .onMessage(SpawnFailed.class, f -> f.job().equals(job)
            ? fail("worker " + f.node() + " could not start stages: " + f.message(), got.values()) : Behaviors.same())
        .onMessageEquals(Tick.TIMEOUT, () -> fail("workers " + placement.nodes() + " started " + got.size() + " of "
            + stages + " stages within " + seconds(timeout), got.values()))
        .onMessage(HostsListed.class, l -> {
          hosts = l.hosts();
          return Behaviors.same();
        })
        .onMessage(HostDescribed.class, d -> Behaviors.same())
        .onMessageEquals(Tick.RETRY, Behaviors::same)
        .build();
  }

  private String notEnough() {
    int free = eligible().mapToInt(h -> h.freeDevices().size()).sum();
    long others = described.values().stream().filter(h -> !backend.isEmpty() && !h.backend().equals(backend))
        .count();
    long leaving = described.values().stream().filter(h -> !serving.test(ctx.getSystem(), h.node())).count();
    return new StagePlacement.NotEnoughDevices(stages, free, (int) eligible().count()).getMessage()
        + (others == 0 ? "" : " of backend " + backend + " (" + others + " more with another backend)")
        + (leaving == 0 ? "" : " (" + leaving + " more leaving the cluster)");
  }

  private Behavior<ProvisioningEvent> fail(String why, java.util.Collection<ActorRef<StageCommand>> spawned) {
    spawned.forEach(s -> s.tell(new StopStage(job)));
    ctx.getLog().warn("job {}: provisioning failed: {}", job, why);
    replyTo.tell(new ProvisioningFailed(job, why));
    return Behaviors.stopped();
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
