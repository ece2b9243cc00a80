package io.zbpp.runtime;

import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.ResolvedJob;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Trains a job on a cluster (docs/cluster.md): submits it from a node of the cluster to the coordinator (the
 * singleton's proxy), which places the stages on the workers; the stages build the model the spec names. The
 * same protocol as {@link LocalTraining}, every message over Artery, so the losses and the parameter digest
 * equal a single-JVM run's.
 */
public final class ClusterTraining {
  private ClusterTraining() {}

  /**
   * Submits {@code given} to {@code coordinator} from {@code system} and waits for its outcome.
   *
   * @throws IllegalArgumentException when the coordinator rejects the spec (one line naming the option)
   * @throws IllegalStateException when the job fails (no stages, a stage failure, a timeout)
   */
  public static TrainReport train(ActorSystem<?> system, ActorRef<CoordinatorCommand> coordinator, TrainSpec given,
      LocalTraining.Listener listener) {
    TrainSpec spec = given.withConfiguredFrameBytes(system.settings().config());
    LocalTraining.validate(spec);
    String id = "job-" + UUID.randomUUID().toString().substring(0, 8);
    ResolvedJob job = spec.toResolvedJob(id);
    return LocalTraining.submit(system, coordinator, job, spec, listener, "events-" + id);
  }
}
