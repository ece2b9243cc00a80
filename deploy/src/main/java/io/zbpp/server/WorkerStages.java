package io.zbpp.server;

import io.zbpp.stage.StageActor;
import io.zbpp.stage.StageHost;

/**
 * The stage actors a worker's stage host starts. A stage actor in a worker JVM has nothing but the protocol:
 * it builds its model chunks from the job's program message.
 */
public final class WorkerStages {
  private WorkerStages() {}

  /** Stage actors on {@code backend} (cpu, cuda, emulated). */
  public static StageHost.StageFactory of(String backend) {
    return (job, stage, device) -> StageActor.create(stage, c -> {
      throw new IllegalStateException("stage " + stage + " of " + job + ": building chunks from the job's "
          + "program needs the model spec in LoadProgram");
    });
  }
}
