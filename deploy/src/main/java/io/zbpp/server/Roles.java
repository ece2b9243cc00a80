package io.zbpp.server;

import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.stage.StageHost;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

/** What each cluster role runs on its node (docs/cluster.md). */
public final class Roles {
  public static final String COORDINATOR = "coordinator";
  public static final String WORKER = "worker";
  /** A node that only submits jobs (the --processes launcher). */
  public static final String CLIENT = "client";

  private Roles() {}

  /** The coordinator singleton's name in the cluster. */
  public static final String SINGLETON = "coordinator";

  /**
   * A coordinator node: hosts {@code coordinator} as the cluster's singleton on the oldest node with role
   * {@code coordinator}, so that a second coordinator process takes over when the first leaves.
   */
  public static Consumer<ActorContext<Void>> coordinator(Behavior<CoordinatorCommand> coordinator) {
    return ctx -> singleton(ctx.getSystem(), coordinator);
  }

  /**
   * The coordinator singleton, from any node: on a coordinator node this starts its instance (when it is the
   * oldest), elsewhere it is a proxy that reaches wherever it runs.
   */
  public static ActorRef<CoordinatorCommand> singleton(ActorSystem<?> system, Behavior<CoordinatorCommand> coordinator) {
    return ClusterSingleton.get(system).init(SingletonActor.of(coordinator, SINGLETON)
        .withSettings(ClusterSingletonSettings.create(system).withRole(COORDINATOR)));
  }

  /** The job API's singleton name: it lives on the oldest coordinator, beside the coordinator singleton. */
  public static final String JOB_API = "job-api";

  /**
   * The job API's activity on a coordinator node (docs/faults.md "Coordinator failover"): a Cluster Singleton on
   * the oldest node with role {@code coordinator} that calls {@code activate} when it starts on this node (failing
   * activations are retried with a back-off: the records may still be locked by a coordinator that is stopping)
   * and {@code standBy} when it stops here (this node leaves, and the next coordinator takes over). Every
   * coordinator node of a cluster must call it, or none.
   */
  public static void jobApi(ActorSystem<?> system, Runnable activate, Runnable standBy) {
    Behavior<Void> active = Behaviors.setup(ctx -> {
      activate.run();
      return Behaviors.receive(Void.class).onSignal(PostStop.class, s -> {
        standBy.run();
        return Behaviors.same();
      }).build();
    });
    ClusterSingleton.get(system).init(SingletonActor.of(Behaviors.supervise(active).onFailure(
            SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(10), 0.2)), JOB_API)
        .withSettings(ClusterSingletonSettings.create(system).withRole(COORDINATOR)));
  }

  /**
   * A worker: a stage host with {@code devices} devices of {@code backend}, registered with the Receptionist; a
   * worker that shuts down mid-job tells the job's coordinator first ({@link WorkerDeparture}).
   */
  public static Consumer<ActorContext<Void>> worker(int devices, String backend, StageHost.StageFactory stages) {
    return ctx -> ctx.spawn(StageHost.create(devices, backend,
        WorkerDeparture.register(ctx.getSystem()).watching(stages)), "stage-host");
  }
}
