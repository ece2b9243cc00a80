package io.zbpp.cli;

import com.typesafe.config.ConfigFactory;
import io.zbpp.dashboard.DashboardRoutes;
import io.zbpp.jobs.ActiveJobService;
import io.zbpp.jobs.JobApi;
import io.zbpp.jobs.JobApiServer;
import io.zbpp.jobs.JobStore;
import io.zbpp.jobs.Tokens;
import io.zbpp.metrics.NodeMetrics;
import io.zbpp.runtime.CoordinatorKill;
import io.zbpp.server.ClusterCoordinator;
import io.zbpp.server.ClusterNode;
import io.zbpp.server.JobApiReadiness;
import io.zbpp.server.Members;
import io.zbpp.server.NodeSettings;
import io.zbpp.server.Roles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zbpp coordinator}: a cluster node with role {@code coordinator} that hosts the coordinator as a Cluster
 * Singleton; jobs' stages are placed on the workers that joined (docs/cluster.md). With {@code --api-port} it
 * also serves the job API, its jobs run on the workers and its records kept in {@code --data-dir} (docs/jobs.md).
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

  @Option(names = "--api-port", paramLabel = "PORT",
      description = "Also serve the job API (gRPC, docs/jobs.md) on this port (0: a free one), over TLS when "
          + "--tls-dir is given; jobs run on the workers, records live in --data-dir. Needs --token-file.")
  Integer apiPort;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "The job API's bearer tokens, one name:token per line (the name admin may cancel every "
          + "job); re-read when it changes.")
  Path tokenFile;

  @Mixin NodeOptions node;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (provisionTimeout < 1) {
      throw new UsageException("--provision-timeout [" + provisionTimeout + "]: must be at least 1 second");
    }
    NodeSettings settings = node.settings(port);
    Tokens tokens = apiTokens();
    prepareDataDir();
    NodeRun.infoLogging();
    // an injected kill-coordinator halts this JVM like kill -9: no shutdown hook, the cluster is not left
    CoordinatorKill.arm(() -> Runtime.getRuntime().halt(137));
    Duration timeout = Duration.ofSeconds(provisionTimeout);
    Api[] api = new Api[1];
    return NodeRun.run("coordinator", spec.commandLine().getOut(), spec.commandLine().getErr(),
        settings.joinTimeout(), node.exitWith,
        () -> {
          ClusterNode n = ClusterNode.start(settings, Roles.COORDINATOR,
              Roles.coordinator(ClusterCoordinator.behavior(timeout)), ConfigFactory.empty());
          if (tokens != null) {
            try {
              api[0] = serveApi(n, dataDir, apiPort, Optional.ofNullable(node.tlsDir), tokens, timeout);
            } catch (RuntimeException e) {
              n.close();
              throw new IllegalArgumentException(e.getMessage(), e);
            }
          }
          return n;
        },
        n -> String.format(Locale.ROOT, "zbpp coordinator up at %s; workers join with --seed-nodes %s; data in %s%s%s",
            n.address(), n.seed(), dataDir, api[0] == null ? "" : "; job API on port " + api[0].port()
                + (node.tlsDir == null ? " (plain TCP)" : " (TLS)"),
            n.management().map(u -> "; management " + u).orElse("")));
  }

  /** The token file's tokens when the job API is asked for; null without --api-port. */
  private Tokens apiTokens() {
    if (apiPort == null) {
      if (tokenFile != null) {
        throw new UsageException("--token-file [" + tokenFile + "]: only with --api-port (the job API)");
      }
      return null;
    }
    if (apiPort < 0 || apiPort > 65535) {
      throw new UsageException("--api-port [" + apiPort + "]: expected 0 to 65535");
    }
    if (tokenFile == null) {
      throw new UsageException("--api-port [" + apiPort + "]: the job API needs --token-file FILE (name:token "
          + "lines)");
    }
    try {
      return Tokens.load(tokenFile);
    } catch (RuntimeException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /**
   * The job API on this coordinator node (docs/jobs.md, docs/faults.md "Coordinator failover"): it listens on
   * {@code apiPort} at once, but only the active coordinator — the one hosting the {@code job-api} Cluster Singleton,
   * the oldest coordinator — opens the records in {@code dataDir}, runs jobs on the cluster's workers ({@link
   * ClusterJobRunner}), counts its queue in the node's metrics and shows its jobs on the node's dashboard. A
   * standby answers UNAVAILABLE naming the active one; when the active one leaves or dies it takes over: it opens the
   * same records (a shared directory) and resumes their running jobs from their latest checkpoints. Stops with the
   * node.
   */
  static Api serveApi(ClusterNode n, Path dataDir, int apiPort, Optional<Path> tlsDir, Tokens tokens,
      Duration timeout) {
    ActiveJobService service = new ActiveJobService(() -> Members.activeCoordinator(n.system()));
    JobApiServer server = JobApiServer.start(n.system().address().getHost().orElse("127.0.0.1"), apiPort, tlsDir,
        service, tokens);
    TrainJobRunner runner = ClusterJobRunner.create(n.system(), timeout);
    NodeMetrics.get(n.system()).coordinator().jobQueue(() -> service.api().map(JobApi::queued).orElse(0));
    Api api = new Api(n.system(), server, service, runner, dataDir, tokens);
    JobApiReadiness.register(n.system(), () -> service.api().isPresent());
    DashboardRoutes.standingBy(n.system(), () -> Members.activeCoordinator(n.system()));
    Roles.jobApi(n.system(), api::activate, api::standBy);
    n.terminated().whenComplete((done, e) -> api.close());
    return api;
  }

  /**
   * A coordinator's job API: its server, and while this coordinator is the active one its records and jobs;
   * closing stops all (once).
   */
  static final class Api implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Api.class);
    private final org.apache.pekko.actor.typed.ActorSystem<?> system;
    private final JobApiServer server;
    private final ActiveJobService service;
    private final TrainJobRunner runner;
    private final Path dataDir;
    private final Tokens tokens;
    private final java.util.concurrent.CompletableFuture<Void> active = new java.util.concurrent.CompletableFuture<>();
    private JobStore store;
    private boolean closed;

    Api(org.apache.pekko.actor.typed.ActorSystem<?> system, JobApiServer server, ActiveJobService service,
        TrainJobRunner runner, Path dataDir, Tokens tokens) {
      this.system = system;
      this.server = server;
      this.service = service;
      this.runner = runner;
      this.dataDir = dataDir;
      this.tokens = tokens;
    }

    int port() {
      return server.port();
    }

    /** This coordinator became the active one: opens the records and serves them (resuming their jobs). */
    synchronized void activate() {
      if (closed || store != null) {
        return;
      }
      store = JobStore.open(dataDir);
      JobApi jobApi = new JobApi(store, runner, Clock.systemUTC());
      DashboardRoutes.attach(system, store, jobApi, tokens);
      service.activate(jobApi);
      LOG.info("this coordinator serves the job API now; records in {}", dataDir.toAbsolutePath());
      active.complete(null);
    }

    /** This coordinator hands the job API over (it leaves): stops its runs, keeps their records, closes them. */
    synchronized void standBy() {
      service.standBy().ifPresent(JobApi::handOver);
      DashboardRoutes.detach(system);
      if (store != null) {
        store.close();
        store = null;
      }
    }

    /** Completes once this coordinator serves the job API (it is the active one). */
    java.util.concurrent.CompletableFuture<Void> active() {
      return active;
    }

    /** Completes once this coordinator serves the job API and the workers hold at least {@code devices} devices. */
    java.util.concurrent.CompletableFuture<Void> devices(int devices) {
      java.util.concurrent.CompletableFuture<Void> enough = new java.util.concurrent.CompletableFuture<>();
      Runnable check = () -> {
        if (runner.devices() >= devices) {
          enough.complete(null);
        }
      };
      runner.onDevicesChanged(check);
      check.run();
      return active.thenCompose(a -> enough);
    }

    @Override
    public void close() {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
      }
      server.close();
      standBy();
    }
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
