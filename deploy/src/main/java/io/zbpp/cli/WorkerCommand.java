package io.zbpp.cli;

import com.typesafe.config.ConfigFactory;
import io.zbpp.gpu.cuda.CudaProbe;
import io.zbpp.server.ClusterNode;
import io.zbpp.server.NodeSettings;
import io.zbpp.server.Roles;
import io.zbpp.server.WorkerStages;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zbpp worker}: a cluster node with role {@code worker} whose stage host (registered with the
 * Receptionist) starts one stage actor per device when a coordinator places a job's stages here
 * (docs/cluster.md).
 */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    versionProvider = Version.class,
    description = {"Join the cluster as a worker that runs one pipeline stage per device; stops cleanly on "
        + "SIGTERM (leaves the cluster first)."})
public final class WorkerCommand implements Callable<Integer> {
  @Option(names = "--devices", paramLabel = "N", defaultValue = "1",
      description = "Devices of this worker, one stage each (default: ${DEFAULT-VALUE}).")
  int devices;

  @Option(names = "--backend", paramLabel = "NAME", defaultValue = "cpu",
      description = "Device backend: cpu, cuda or emulated (default: ${DEFAULT-VALUE}).")
  String backend;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "0",
      description = "Artery port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--data-plane", paramLabel = "KIND", defaultValue = "netty",
      description = "How this worker's stages move activations and gradients: netty (a TCP link per "
          + "neighbouring stage pair, TLS with --tls-dir) or artery (the control channel, 192 KiB frames) "
          + "(default: ${DEFAULT-VALUE}).")
  String dataPlane;

  @Mixin NodeOptions node;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    String backendName = checkBackend();
    if (devices < 1) {
      throw new UsageException("--devices [" + devices + "]: must be at least 1");
    }
    NodeSettings settings = node.settings(port);
    io.zbpp.stage.StageHost.StageFactory stages = stages(settings);
    if (settings.seeds().isEmpty() && !"kubernetes".equals(System.getenv("ZBPP_DISCOVERY"))) {
      throw new UsageException("--seed-nodes: a worker needs at least one seed, e.g. the coordinator's HOST:PORT");
    }
    if (backendName.equals("cuda")) {
      CudaProbe.Status cuda = CudaProbe.status();
      if (!cuda.available()) {
        spec.commandLine().getErr().println("zbpp worker: --backend cuda cannot start: " + cuda.reason());
        return 1;
      }
      if (cuda.devices() < devices) {
        throw new UsageException("--devices [" + devices + "]: this machine has " + cuda.devices()
            + " CUDA device(s)");
      }
    }
    NodeRun.infoLogging();
    return NodeRun.run("worker", spec.commandLine().getOut(), spec.commandLine().getErr(), settings.joinTimeout(),
        node.exitWith,
        () -> ClusterNode.start(settings, Roles.WORKER,
            Roles.worker(devices, backendName, stages), HALT_ON_KILL_WORKER),
        n -> String.format(Locale.ROOT, "zbpp worker up at %s with %d %s device%s%s", n.address(), devices,
            backendName, devices == 1 ? "" : "s", n.management().map(u -> ", management " + u).orElse("")));
  }

  /**
   * A worker is its own JVM: an injected kill-worker fault halts it at once, as {@code kill -9} would
   * (docs/faults.md).
   */
  static final com.typesafe.config.Config HALT_ON_KILL_WORKER =
      ConfigFactory.parseString("zbpp.faults.kill-worker = halt-jvm");

  /** Tensors over the Netty data plane unless {@code --data-plane artery}. */
  private io.zbpp.stage.StageHost.StageFactory stages(NodeSettings settings) {
    return switch (dataPlane) {
      case "netty" -> WorkerStages.overDataPlane(settings.host(), java.util.Optional.ofNullable(node.tlsDir),
          node.insecure);
      case "artery" -> WorkerStages.fromProgram();
      default -> throw new UsageException("--data-plane [" + dataPlane + "]: expected netty or artery");
    };
  }

  private String checkBackend() {
    String b = backend.toLowerCase(Locale.ROOT);
    if (!TrainJob.BACKENDS.contains(b)) {
      throw new UsageException("--backend [" + backend + "]: unknown; expected one of "
          + String.join(", ", TrainJob.BACKENDS));
    }
    return b;
  }
}
