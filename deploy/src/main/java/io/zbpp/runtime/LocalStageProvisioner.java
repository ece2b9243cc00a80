package io.zbpp.runtime;

import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.stage.StageActor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Spawns a job's stage actors as children of the coordinator, in this JVM; each builds its chunks with the
 * job's {@link ChunkRunner} factory. The only place that joins the coordinator to the stage actor's code.
 */
final class LocalStageProvisioner implements StageProvisioner {
  private final Function<JobEpoch, IntFunction<ChunkRunner>> chunksOf;

  LocalStageProvisioner(Function<JobEpoch, IntFunction<ChunkRunner>> chunksOf) {
    this.chunksOf = chunksOf;
  }

  @Override
  public List<ActorRef<StageCommand>> provision(ActorContext<CoordinatorCommand> ctx, JobEpoch job, int stages) {
    IntFunction<ChunkRunner> chunks = chunksOf.apply(job);
    List<ActorRef<StageCommand>> refs = new ArrayList<>();
    for (int s = 0; s < stages; s++) {
      refs.add(ctx.spawn(StageActor.create(s, chunks), "stage-" + job.epoch() + "-" + s));
    }
    return refs;
  }
}
