package io.zbpp.transport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The child JVM running {@link TransportPeer} with this JVM's class path. {@link #close()} closes its standard
 * input (the peer exits), waits briefly, then kills it and its descendants: no benchmark leaves a JVM behind.
 */
final class PeerProcess implements AutoCloseable {
  private static final Pattern READY =
      Pattern.compile("READY raw=(\\d+) netty=(\\d+) artery=(\\d+) tls=(\\d+)");

  private final Process process;
  final int rawPort;
  final int nettyPort;
  final int arteryPort;
  final int tlsPort;

  private PeerProcess(Process process, Matcher ready) {
    this.process = process;
    this.rawPort = Integer.parseInt(ready.group(1));
    this.nettyPort = Integer.parseInt(ready.group(2));
    this.arteryPort = Integer.parseInt(ready.group(3));
    this.tlsPort = Integer.parseInt(ready.group(4));
  }

  /** Starts the peer for messages up to {@code maxBytes} (and TLS from {@code tlsDir}); waits until it listens. */
  static PeerProcess start(long maxBytes, Optional<Path> tlsDir) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    long direct = 4 * maxBytes + (256L << 20);
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-XX:MaxDirectMemorySize=" + direct,
        "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"), TransportPeer.class.getName(),
        Long.toString(maxBytes)));
    tlsDir.ifPresent(d -> cmd.add(d.toAbsolutePath().toString()));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      return new PeerProcess(p, awaitReady(p));
    } catch (IOException | RuntimeException e) {
      kill(p);
      throw e;
    }
  }

  private static Matcher awaitReady(Process p) throws IOException {
    CompletableFuture<Matcher> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          Matcher m = READY.matcher(line);
          if (m.matches()) {
            ready.complete(m);
          }
        }
        ready.completeExceptionally(new IOException("transport peer exited before it was ready"));
      } catch (IOException e) {
        ready.completeExceptionally(e);
      }
    }, "transport-peer-stdout");
    reader.setDaemon(true);
    reader.start();
    try {
      return ready.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("transport peer not ready within 60 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting the transport peer");
    }
  }

  /** CPU time the peer used so far, all threads (Linux: from /proc, 10 ms ticks). */
  long cpuNanos() {
    return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
  }

  @Override
  public void close() {
    try {
      process.getOutputStream().close();
      if (process.waitFor(5, TimeUnit.SECONDS)) {
        return;
      }
    } catch (IOException e) {
      // fall through to killing it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    kill(process);
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
