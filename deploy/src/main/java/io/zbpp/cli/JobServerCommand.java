package io.zbpp.cli;

import io.zbpp.jobs.JobApiServer;
import io.zbpp.jobs.JobStore;
import io.zbpp.jobs.Tokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zbpp job-server}: the job API with every job trained in this JVM (docs/jobs.md). */
@Command(name = "job-server", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = {"Serve the job API (gRPC) with jobs trained in this JVM (one actor system per job), "
        + "records in --data-dir; runs until stopped.",
        "Exit code 2: bad input (a port in use, a missing file)."})
final class JobServerCommand implements Callable<Integer> {
  @Option(names = "--api-port", paramLabel = "PORT", defaultValue = "7070",
      description = "Port of the job API (default: ${DEFAULT-VALUE}; 0: a free one).")
  int port;

  @Option(names = "--data-dir", paramLabel = "DIR", required = true,
      description = "Where the job records live (an H2 database, jobs.mv.db).")
  Path dataDir;

  @Option(names = "--token-file", paramLabel = "FILE", required = true,
      description = "Bearer tokens, one name:token per line (the name admin may cancel every job); re-read "
          + "when it changes.")
  Path tokenFile;

  @Option(names = "--tls-dir", paramLabel = "DIR",
      description = "Serve over TLS with tls.crt and tls.key (PKCS#8) from DIR; without it plain TCP.")
  Path tlsDir;

  @Option(names = "--devices", paramLabel = "N", defaultValue = "4",
      description = "Worker devices the jobs share, one per stage (default: ${DEFAULT-VALUE}).")
  int devices;

  @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "Address the job API listens on (default: ${DEFAULT-VALUE}); plain TCP on a non-loopback "
          + "address needs --tls-dir or --insecure (tokens travel in every call).")
  String host;

  @Option(names = "--insecure", description = "Allow plain TCP on a non-loopback --host.")
  boolean insecure;

  @Spec CommandSpec spec;

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = String.valueOf(root.getMessage());
    return m.lines().findFirst().orElse(root.getClass().getSimpleName()).strip();
  }

  private static boolean hasToken(Path file) {
    try {
      return Files.readAllLines(file).stream().map(String::strip)
          .anyMatch(l -> !l.isEmpty() && !l.startsWith("#"));
    } catch (IOException e) {
      throw new UsageException("--token-file [" + file + "]: cannot read: " + e.getMessage());
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    if (devices < 1) {
      throw new UsageException("--devices [" + devices + "]: must be at least 1");
    }
    if (port < 0 || port > 65535) {
      throw new UsageException("--api-port [" + port + "]: expected 0 to 65535");
    }
    if (tlsDir == null && !insecure && !io.zbpp.server.NodeSettings.isLoopback(host)) {
      throw new UsageException("--host [" + host + "]: plain TCP on a non-loopback address; give --tls-dir DIR "
          + "(zbpp certs makes one) or --insecure");
    }
    ClientOptions.checkTokenFile(tokenFile);
    Tokens tokens;
    try {
      tokens = Tokens.load(tokenFile);
    } catch (RuntimeException e) {
      throw new UsageException(e.getMessage());
    }
    if (!hasToken(tokenFile)) {
      // A server that no token opens answers every call UNAUTHENTICATED: refuse to start it.
      throw new UsageException("--token-file [" + tokenFile + "]: no token in it; expected name:token lines "
          + "(e.g. alice:$(openssl rand -hex 24))");
    }
    if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
      throw new UsageException("--data-dir [" + dataDir + "]: is a file; expected a directory");
    }
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UsageException("--data-dir [" + dataDir + "]: cannot create: " + e.getMessage());
    }
    JobStore store;
    try {
      store = JobStore.open(dataDir);
    } catch (RuntimeException e) {
      throw new UsageException("--data-dir [" + dataDir + "]: cannot open the job records"
          + (String.valueOf(e.getMessage()).contains("already in use")
              ? ": another process (a running zbpp job-server?) holds them" : ": " + rootMessage(e))
          + "; expected a directory of job records that no other server uses");
    }
    JobApiServer server;
    try {
      server = JobApiServer.start(host, port, Optional.ofNullable(tlsDir), store, new TrainJobRunner(devices),
          tokens);
    } catch (RuntimeException e) {
      store.close();
      throw new UsageException(e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      store.close();
      stopped.countDown();
    }));
    spec.commandLine().getOut().printf("job API on port %d (%s), %d devices, records in %s%n", server.port(),
        tlsDir == null ? "plain TCP" : "TLS", devices, dataDir);
    spec.commandLine().getOut().flush();
    stopped.await();
    return 0;
  }
}
