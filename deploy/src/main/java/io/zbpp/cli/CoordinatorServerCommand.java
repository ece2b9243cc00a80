package io.zbpp.cli;

import com.typesafe.config.ConfigFactory;
import io.zbpp.server.ClusterCoordinator;
import io.zbpp.server.ClusterNode;
import io.zbpp.server.NodeSettings;
import io.zbpp.server.Roles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zbpp coordinator}: a cluster node with role {@code coordinator} that hosts the coordinator as a Cluster
 * Singleton; jobs' stages are placed on the workers that joined (docs/cluster.md).
 */
@Command(name = "coordinator", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    versionProvider = Version.class,
    description = {"Form (or join) the cluster as the coordinator, which places jobs' stages on the workers; "
        + "stops cleanly on SIGTERM (leaves the cluster first)."})
public final class CoordinatorServerCommand implements Callable<Integer> {
  @Option(names = "--port", paramLabel = "PORT", defaultValue = "25520",
      description = "Artery port; workers name HOST:PORT in --seed-nodes (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "zbpp-data",
      description = "Directory for the coordinator's job records; made if missing (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--provision-timeout", paramLabel = "SECONDS", defaultValue = "60",
      description = "How long a job waits for enough free worker devices (default: ${DEFAULT-VALUE}).")
  int provisionTimeout;

  @Mixin NodeOptions node;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (provisionTimeout < 1) {
      throw new UsageException("--provision-timeout [" + provisionTimeout + "]: must be at least 1 second");
    }
    NodeSettings settings = node.settings(port);
    prepareDataDir();
    NodeRun.infoLogging();
    return NodeRun.run("coordinator", spec.commandLine().getOut(), spec.commandLine().getErr(),
        settings.joinTimeout(), node.exitWith,
        () -> ClusterNode.start(settings, Roles.COORDINATOR,
            Roles.coordinator(ClusterCoordinator.behavior(Duration.ofSeconds(provisionTimeout))),
            ConfigFactory.empty()),
        n -> String.format(Locale.ROOT, "zbpp coordinator up at %s; workers join with --seed-nodes %s; data in %s%s",
            n.address(), n.seed(), dataDir, n.management().map(u -> "; management " + u).orElse("")));
  }

  private void prepareDataDir() {
    if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
      throw new UsageException("--data-dir [" + dataDir + "]: is a file; expected a directory");
    }
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UsageException("--data-dir [" + dataDir + "]: cannot create: " + e.getMessage());
    }
    if (!Files.isWritable(dataDir)) {
      throw new UsageException("--data-dir [" + dataDir + "]: not writable");
    }
  }
}
