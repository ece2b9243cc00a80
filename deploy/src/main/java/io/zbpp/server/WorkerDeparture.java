package io.zbpp.server;

import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.LoadProgram;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StageFailed;
import io.zbpp.stage.StageHost;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * How a worker leaves while it runs stages (SIGTERM, Ctrl-C, {@link ClusterNode#close}): in the first phase of
 * its coordinated shutdown, before it leaves the cluster, it tells each running job's coordinator, in one line,
 * that this worker is leaving and what to do; the coordinator fails the job with that line and stops the job's
 * stages, which aborts the running iteration everywhere and frees the devices. The shutdown waits (at most
 * {@link #WAIT}) for its stages to stop, then leaves the cluster. Without this the stages would die with the
 * actor system and the job would fail on whichever neighbour noticed a lost data link first.
 *
 * <p>The stages' coordinators are learnt from the {@link LoadProgram} each stage actor receives, through an
 * interceptor around the stage behaviors the stage host starts ({@link #watching}).
 */
public final class WorkerDeparture {
  /** How long the shutdown waits for the coordinators to stop this worker's stages (under the phase's 5 s). */
  static final Duration WAIT = Duration.ofSeconds(4);

  private record Running(JobEpoch job, int stage, ActorRef<CoordinatorCommand> coordinator) {}

  private final Map<ActorRef<StageCommand>, Running> running = new ConcurrentHashMap<>();
  private volatile CompletableFuture<Void> drained;

  /** Registers the departure with {@code system}'s coordinated shutdown. */
  public static WorkerDeparture register(ActorSystem<?> system) {
    WorkerDeparture d = new WorkerDeparture();
    String node = system.address().toString();
    CoordinatedShutdown.get(Adapter.toClassic(system)).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "zbpp-worker-departure", () -> d.leave(node));
    return d;
  }

  /** {@code stages}, each wrapped so that this departure knows its job and coordinator while it runs. */
  public StageHost.StageFactory watching(StageHost.StageFactory stages) {
    return (job, stage, device) -> Behaviors.intercept(Watch::new, stages.create(job, stage, device));
  }

  /** The one line a coordinator fails the job with when worker {@code node} leaves. */
  static String line(String node) {
    return "worker " + node + " is leaving the cluster (shut down) and takes this job's stages with it; start "
        + "another worker joined to this cluster (zbpp worker) and submit the job again";
  }

  /** Tells every running job's coordinator (once per job, naming its lowest stage here), then waits. */
  CompletionStage<Done> leave(String node) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    drained = done;
    Map<JobEpoch, Running> byJob = running.values().stream().collect(Collectors.toMap(Running::job, r -> r,
        (a, b) -> a.stage() <= b.stage() ? a : b));
    byJob.values().stream().sorted(Comparator.comparingInt(Running::stage))
        .forEach(r -> r.coordinator().tell(new StageFailed(r.job(), r.stage(), line(node), "")));
    if (running.isEmpty()) {
      done.complete(null);
    }
    return done.completeOnTimeout(null, WAIT.toMillis(), TimeUnit.MILLISECONDS).thenApply(v -> Done.getInstance());
  }

  private void stopped(ActorRef<StageCommand> stage) {
    CompletableFuture<Void> done = drained;
    if (running.remove(stage) != null && running.isEmpty() && done != null) {
      done.complete(null);
    }
  }

  /** Sees a stage's program arrive (its job and coordinator) and the stage stop. */
  private final class Watch extends BehaviorInterceptor<StageCommand, StageCommand> {
    Watch() {
      super(StageCommand.class);
    }

    @Override
    public org.apache.pekko.actor.typed.Behavior<StageCommand> aroundReceive(TypedActorContext<StageCommand> ctx,
        StageCommand msg, ReceiveTarget<StageCommand> target) {
      if (msg instanceof LoadProgram l) {
        running.put(ctx.asJava().getSelf(), new Running(l.job(), l.program().stage(), l.coordinator()));
      }
      return target.apply(ctx, msg);
    }

    @Override
    public org.apache.pekko.actor.typed.Behavior<StageCommand> aroundSignal(TypedActorContext<StageCommand> ctx,
        Signal signal, SignalTarget<StageCommand> target) {
      if (signal instanceof PostStop) {
        stopped(ctx.asJava().getSelf());
      }
      return target.apply(ctx, signal);
    }
  }
}
