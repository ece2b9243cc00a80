package io.zbpp.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.zbpp.dashboard.DashboardRoutes;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How one cluster node (a {@code zbpp coordinator} or {@code zbpp worker}) binds, finds the cluster and
 * secures its transport; {@link #config} turns it into the actor system's configuration (docs/cluster.md).
 *
 * @param host the address other nodes reach this one at (Artery's canonical hostname; also bound)
 * @param port the Artery port; 0 picks a free one
 * @param seeds {@code host:port} of seed nodes; empty for a coordinator that forms a new cluster
 * @param managementPort Pekko Management's HTTP port ({@code /ready}, {@code /alive}), if any
 * @param tls PEM files for Artery's {@code tls-tcp}, if any
 * @param joinTimeout how long to try the seeds before giving up ({@link ClusterNode#awaitUp}; Pekko's own coordinated
 *     shutdown after an unsuccessful join follows {@link #JOIN_BACKSTOP} later, for a node nobody waits for)
 */
public record NodeSettings(String host, int port, List<String> seeds, OptionalInt managementPort,
    Optional<TlsFiles> tls, Duration joinTimeout) {
  /** The actor system's name on every node: an address is {@code pekko://zbpp@host:port}. */
  public static final String SYSTEM = "zbpp";

  /**
   * How long after {@link #joinTimeout} Pekko gives up joining by itself: later than the callers that wait for
   * the node, so that they report the failure in their own words, before Pekko's warning.
   */
  public static final Duration JOIN_BACKSTOP = Duration.ofSeconds(30);

  public NodeSettings {
    Objects.requireNonNull(host, "host");
    seeds = List.copyOf(seeds);
  }

  /** The seed addresses as Pekko writes them. */
  public List<String> seedAddresses() {
    return seeds.stream().map(s -> "pekko://" + SYSTEM + "@" + s).toList();
  }

  /** Whether {@code host} names a loopback address, where plain TCP needs no {@code --insecure}. */
  public static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * The configuration of a node with cluster role {@code role}: cluster provider, Artery on {@code tcp} or
   * {@code tls-tcp}, seeds, the split-brain resolver, Management's HTTP endpoint (with {@code /metrics}, and on a coordinator the dashboard at {@code /}), and a coordinated shutdown
   * when the seeds cannot be joined in time. Extra settings ({@code overrides}) win; the rest falls back to the
   * application's configuration.
   */
  public Config config(String role, Config overrides) {
    Config c = ConfigFactory.empty()
        .withValue("pekko.actor.provider", ConfigValueFactory.fromAnyRef("cluster"))
        .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
        .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
        .withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef(tls.isPresent() ? "tls-tcp" : "tcp"))
        .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(List.of(role)))
        .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seedAddresses()))
        .withValue("pekko.cluster.downing-provider-class",
            ConfigValueFactory.fromAnyRef("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"))
        .withValue("pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes",
            ConfigValueFactory.fromAnyRef(joinTimeout.plus(JOIN_BACKSTOP).toMillis() + "ms"))
        .withValue("pekko.cluster.jmx.multi-mbeans-in-same-jvm", ConfigValueFactory.fromAnyRef("on"))
        .withValue("pekko.management.http.hostname", ConfigValueFactory.fromAnyRef(host))
        .withValue("pekko.management.http.port", ConfigValueFactory.fromAnyRef(managementPort.orElse(0)))
        .withValue("pekko.management.http.routes.metrics", ConfigValueFactory.fromAnyRef(MetricsRoutes.class.getName()));
    if (role.equals(Roles.COORDINATOR)) {
      c = c.withValue("pekko.management.http.routes.dashboard",
          ConfigValueFactory.fromAnyRef(DashboardRoutes.class.getName()))
          .withValue("pekko.management.health-checks.readiness-checks.job-api",
              ConfigValueFactory.fromAnyRef(JobApiReadiness.class.getName()));
    }
    if (tls.isPresent()) {
      TlsFiles t = tls.get();
      String engine = "pekko.remote.artery.ssl.rotating-keys-engine.";
      c = c.withValue("pekko.remote.artery.ssl.ssl-engine-provider",
              ConfigValueFactory.fromAnyRef("org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider"))
          .withValue(engine + "key-file", ConfigValueFactory.fromAnyRef(t.key().toString()))
          .withValue(engine + "cert-file", ConfigValueFactory.fromAnyRef(t.certificate().toString()))
          .withValue(engine + "ca-cert-file", ConfigValueFactory.fromAnyRef(t.ca().toString()));
    }
    Config discovery = KubernetesBootstrap.fromEnvironment(System.getenv());
    if (KubernetesBootstrap.enabled(overrides.withFallback(discovery))) {
      // Cluster Bootstrap finds the members; seeds would race it
      c = c.withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(List.of()));
    }
    return overrides.withFallback(discovery).withFallback(c).withFallback(ConfigFactory.load()).resolve();
  }

  /** The PEM files of a TLS directory: {@code tls.key}, {@code tls.crt}, {@code ca.crt}. */
  public record TlsFiles(Path key, Path certificate, Path ca) {
    public static TlsFiles in(Path dir) {
      Path d = dir.toAbsolutePath();
      return new TlsFiles(d.resolve("tls.key"), d.resolve("tls.crt"), d.resolve("ca.crt"));
    }

    /** The files among the three that are missing or unreadable, by name. */
    public List<String> missing() {
      return List.of(key, certificate, ca).stream()
          .filter(p -> !java.nio.file.Files.isReadable(p)).map(p -> p.getFileName().toString()).toList();
    }
  }
}
