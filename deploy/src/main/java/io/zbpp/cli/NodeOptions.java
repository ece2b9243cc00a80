package io.zbpp.cli;

import io.zbpp.server.NodeSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import picocli.CommandLine.Option;

/**
 * The options every cluster node takes ({@code zbpp coordinator}, {@code zbpp worker}): where it listens,
 * the seeds it joins, Management's port and TLS. {@link #settings} checks them and answers bad input with one
 * {@link UsageException} line.
 */
final class NodeOptions {
  @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "Address other nodes reach this one at; Artery binds it (default: ${DEFAULT-VALUE}). Plain "
          + "TCP on a non-loopback address needs --tls-dir or --insecure.")
  String host;

  @Option(names = "--seed-nodes", paramLabel = "HOST:PORT[,...]", split = ",",
      description = "Cluster nodes to join, usually the coordinator's --host:--port. A coordinator without "
          + "seeds forms a new cluster.")
  List<String> seeds = new ArrayList<>();

  @Option(names = "--management-port", paramLabel = "PORT",
      description = "Serve Pekko Management's /ready and /alive, /metrics and (on a coordinator with --api-port) "
          + "the dashboard at / on this HTTP port (0 picks a free one).")
  Integer managementPort;

  @Option(names = "--tls-dir", paramLabel = "DIR",
      description = "Artery over TLS with mutual authentication, from PEM files DIR/tls.key, DIR/tls.crt and "
          + "DIR/ca.crt (zbpp certs makes them); only nodes with a certificate from that CA can join.")
  Path tlsDir;

  @Option(names = "--insecure", description = "Allow plain TCP on a non-loopback --host.")
  boolean insecure;

  @Option(names = "--join-timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "Give up (exit 1) when the seeds cannot be joined within this time (default: ${DEFAULT-VALUE}).")
  int joinTimeout;

  @Option(names = "--exit-with", paramLabel = "PID", hidden = true,
      description = "Leave the cluster and exit when process PID ends (the --processes launcher passes its own).")
  Long exitWith;

  /** The node's settings with {@code port}. */
  NodeSettings settings(int port) {
    checkPort("--port", port);
    if (managementPort != null) {
      checkPort("--management-port", managementPort);
    }
    if (joinTimeout < 1) {
      throw new UsageException("--join-timeout [" + joinTimeout + "]: must be at least 1 second");
    }
    seeds.forEach(NodeOptions::checkSeed);
    if (tlsDir != null && !java.nio.file.Files.isDirectory(tlsDir)) {
      throw new UsageException("--tls-dir [" + tlsDir + "]: no such directory");
    }
    if (tlsDir == null && !insecure && !NodeSettings.isLoopback(host)) {
      throw new UsageException("--host [" + host + "]: plain TCP on a non-loopback address; give --tls-dir DIR "
          + "(zbpp certs makes one) or --insecure");
    }
    return new NodeSettings(host, port, seeds,
        managementPort == null ? OptionalInt.empty() : OptionalInt.of(managementPort),
        Optional.ofNullable(tlsDir).map(NodeSettings.TlsFiles::in), Duration.ofSeconds(joinTimeout));
  }

  private static void checkPort(String option, int port) {
    if (port < 0 || port > 65535) {
      throw new UsageException(option + " [" + port + "]: expected a port 0..65535");
    }
  }

  private static void checkSeed(String seed) {
    int colon = seed.lastIndexOf(':');
    boolean ok = colon > 0;
    if (ok) {
      try {
        int port = Integer.parseInt(seed.substring(colon + 1));
        ok = port >= 1 && port <= 65535;
      } catch (NumberFormatException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw new UsageException("--seed-nodes [" + seed + "]: expected HOST:PORT with a port 1..65535");
    }
  }
}
