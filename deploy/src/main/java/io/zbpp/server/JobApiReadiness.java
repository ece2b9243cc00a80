package io.zbpp.server;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * A coordinator's readiness (Pekko Management's {@code /ready}) includes serving the job API: a standby coordinator
 * (docs/faults.md "Coordinator failover") is not ready, so that a Kubernetes Service for the job API sends calls to
 * the active one only (docs/kubernetes.md). A node that serves no job API is ready as a member.
 */
public final class JobApiReadiness implements Supplier<CompletionStage<Boolean>> {
  private static final Map<ActorSystem, BooleanSupplier> SERVING = new ConcurrentHashMap<>();

  private final ActorSystem system;

  /** Pekko Management makes one per node. */
  public JobApiReadiness(ActorSystem system) {
    this.system = system;
  }

  /** {@code system}'s node serves a job API, ready while {@code active} says so; until it terminates. */
  public static void register(org.apache.pekko.actor.typed.ActorSystem<?> system, BooleanSupplier active) {
    ActorSystem classic = org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system);
    SERVING.put(classic, active);
    classic.registerOnTermination(() -> SERVING.remove(classic));
  }

  @Override
  public CompletionStage<Boolean> get() {
    BooleanSupplier active = SERVING.get(system);
    return CompletableFuture.completedFuture(active == null || active.getAsBoolean());
  }
}
