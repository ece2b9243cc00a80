package io.zbpp.server;

import io.zbpp.stage.StageActor;
import io.zbpp.stage.StageHost;

/**
 * The stage actors a worker's stage host starts. A stage actor in a worker JVM has nothing but the protocol:
 * it builds its model chunks from the job's {@code LoadProgram} (the model spec names the backend) and takes its
 * stage index from the program.
 */
public final class WorkerStages {
  private WorkerStages() {}

  /** Stage actors that build the model their program names. */
  public static StageHost.StageFactory fromProgram() {
    return (job, stage, device) -> StageActor.create();
  }
}
