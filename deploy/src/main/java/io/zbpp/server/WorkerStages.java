package io.zbpp.server;

import io.zbpp.dataplane.DataPlaneConfig;
import io.zbpp.stage.DataPlaneFactory;
import io.zbpp.stage.ModelChunks;
import io.zbpp.stage.StageActor;
import io.zbpp.stage.StageHost;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The stage actors a worker's stage host starts. A stage actor in a worker JVM has nothing but the protocol:
 * it builds its model chunks from the job's {@code LoadProgram} (the model spec names the backend) on the device
 * its stage host placed it on ({@link ModelChunks#onDevice}: on cuda, the GPU of that index), and takes its stage
 * index from the program.
 */
public final class WorkerStages {
  private WorkerStages() {}

  /** Stage actors that build the model their program names and send tensors as Artery messages. */
  public static StageHost.StageFactory fromProgram() {
    return (job, stage, device) -> StageActor.create(ModelChunks.onDevice(device));
  }

  /**
   * Stage actors that build the model their program names and move activations and gradients over the Netty
   * data plane (docs/transport.md): each binds a free port on {@code host}, the address the other workers reach
   * this one on, with mutual TLS from {@code tlsDir} when given (plain TCP off loopback only when
   * {@code insecure}, as for Artery).
   */
  public static StageHost.StageFactory overDataPlane(String host, Optional<Path> tlsDir, boolean insecure) {
    DataPlaneConfig config = tlsDir.map(DataPlaneConfig.plain()::withTls).orElse(DataPlaneConfig.plain())
        .withInsecure(insecure);
    DataPlaneFactory planes = DataPlaneFactory.netty(config, host);
    return (job, stage, device) -> StageActor.create(ModelChunks.onDevice(device), Optional.of(planes));
  }
}
