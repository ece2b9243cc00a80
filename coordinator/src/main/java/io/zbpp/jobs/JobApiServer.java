package io.zbpp.jobs;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The job API's gRPC server: {@link JobApi} behind {@link BearerAuth}, over TLS from a directory in the cluster's
 * certificate layout ({@code tls.crt}, {@code tls.key} (PKCS#8 PEM), {@code ca.crt}) or over plain TCP, with
 * requests larger than {@link #MAX_REQUEST_BYTES} refused as RESOURCE_EXHAUSTED. Close it to stop serving; the
 * store and the runner belong to the caller.
 */
public final class JobApiServer implements AutoCloseable {
  /** The largest request the server reads. */
  public static final int MAX_REQUEST_BYTES = 1 << 20;

  private final Server server;

  private JobApiServer(Server server) {
    this.server = server;
  }

  /** The service with authentication, for any server (tests: an in-process one). */
  public static ServerServiceDefinition service(JobStore store, JobRunner runner, Tokens tokens) {
    return service(new JobApi(store, runner, Clock.systemUTC()), tokens);
  }

  /** {@code api} (a {@link JobApi}, or what stands for it on a standby coordinator) with authentication. */
  public static ServerServiceDefinition service(io.grpc.BindableService api, Tokens tokens) {
    return ServerInterceptors.intercept(api, new BearerAuth(tokens));
  }

  /**
   * Serves on {@code port} (0: a free one) of 127.0.0.1.
   *
   * @param tlsDir the certificate directory, or empty for plain TCP
   */
  public static JobApiServer start(int port, Optional<Path> tlsDir, JobStore store, JobRunner runner,
      Tokens tokens) {
    return start("127.0.0.1", port, tlsDir, store, runner, tokens);
  }

  /**
   * Serves on {@code port} (0: a free one) of the address {@code host} (the caller decides whether plain TCP
   * may leave the machine: bearer tokens travel in every call).
   *
   * @param tlsDir the certificate directory, or empty for plain TCP
   */
  public static JobApiServer start(String host, int port, Optional<Path> tlsDir, JobStore store, JobRunner runner,
      Tokens tokens) {
    return start(host, port, tlsDir, new JobApi(store, runner, Clock.systemUTC()), tokens);
  }

  /**
   * Serves {@code api} (a {@link JobApi} whose events others may listen to as well, or an {@link ActiveJobService})
   * on {@code port} of {@code host}.
   */
  public static JobApiServer start(String host, int port, Optional<Path> tlsDir, io.grpc.BindableService api,
      Tokens tokens) {
    ServerCredentials credentials = tlsDir.map(JobApiServer::tls).orElse(InsecureServerCredentials.create());
    try {
      Server s = io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder
          .forAddress(new java.net.InetSocketAddress(host, port), credentials).maxInboundMessageSize(MAX_REQUEST_BYTES)
          .addService(service(api, tokens)).build().start();
      return new JobApiServer(s);
    } catch (IOException e) {
      throw new UncheckedIOException("--api-port [" + port + "]: cannot listen: " + e.getMessage(), e);
    }
  }

  private static ServerCredentials tls(Path dir) {
    Path crt = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    for (Path p : new Path[] {crt, key}) {
      if (!Files.isReadable(p)) {
        throw new IllegalArgumentException("--tls-dir [" + dir + "]: no readable " + p.getFileName()
            + "; expected tls.crt, tls.key and ca.crt (zbpp certs writes them)");
      }
    }
    try {
      return TlsServerCredentials.create(crt.toFile(), key.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("--tls-dir [" + dir + "]: " + e.getMessage(), e);
    }
  }

  /** The port it listens on. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
