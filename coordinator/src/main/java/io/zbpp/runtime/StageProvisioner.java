package io.zbpp.runtime;

import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.StageCommand;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Where a job's stage actors come from. The coordinator cannot see the stage actor's classes (it never
 * depends on gpu-ops or stage-actor): the deployment injects this. In one JVM it spawns children of the
 * coordinator; in a cluster it would address stages on other nodes. Only the protocol crosses.
 */
@FunctionalInterface
public interface StageProvisioner {
  /** References to {@code stages} fresh stage actors for {@code job}, indexed by stage. */
  List<ActorRef<StageCommand>> provision(ActorContext<CoordinatorCommand> ctx, JobEpoch job, int stages);
}
