package io.zbpp.server;

import io.zbpp.stage.StageHost;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/** What each cluster role runs on its node (docs/cluster.md). */
public final class Roles {
  public static final String COORDINATOR = "coordinator";
  public static final String WORKER = "worker";

  private Roles() {}

  /** A worker: a stage host with {@code devices} devices of {@code backend}, registered with the Receptionist. */
  public static Consumer<ActorContext<Void>> worker(int devices, String backend, StageHost.StageFactory stages) {
    return ctx -> ctx.spawn(StageHost.create(devices, backend, stages), "stage-host");
  }
}
