package io.zbpp.server;

import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.stage.StageHost;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
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

  /**
   * A worker: a stage host with {@code devices} devices of {@code backend}, registered with the Receptionist; a
   * worker that shuts down mid-job tells the job's coordinator first ({@link WorkerDeparture}).
   */
  public static Consumer<ActorContext<Void>> worker(int devices, String backend, StageHost.StageFactory stages) {
    return ctx -> ctx.spawn(StageHost.create(devices, backend,
        WorkerDeparture.register(ctx.getSystem()).watching(stages)), "stage-host");
  }
}
