package io.zbpp.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local cluster of child JVMs on 127.0.0.1 (docs/cluster.md "--processes"): one {@code zbpp coordinator}
 * and {@code workers} {@code zbpp worker}s, each on a free port, started with this JVM's classpath. {@link
 * #close} stops every child and its descendants (SIGTERM, then SIGKILL after a grace period), and so does a
 * shutdown hook, so Ctrl-C or a failure of this JVM leaves no orphan JVM; and every child watches this JVM's
 * process ({@code --exit-with}) and leaves when it ends, even by SIGKILL. Each child's stderr goes to a log
 * file in {@link #logs()}, a temporary directory that {@link #close} (or the hook) deletes after the children
 * stopped, unless a child failed to start: then the failure's message names its log, which stays.
 */
public final class ProcessCluster implements AutoCloseable {
  private static final Pattern SEED = Pattern.compile("--seed-nodes (\\S+);");
  private static final Duration GRACE = Duration.ofSeconds(10);

  private final List<Process> children = new ArrayList<>();
  private final List<String> upLines = new ArrayList<>();
  private final Path logs;
  private final Thread hook = new Thread(this::stopChildren, "zbpp-process-cluster-stop");
  private String seed;
  private volatile boolean keepLogs;

  private ProcessCluster(Path logs) {
    this.logs = logs;
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Starts a coordinator and {@code workers} workers of {@code devices} devices each on {@code backend}, and
   * waits until every one printed its up line.
   *
   * @param javaOptions extra JVM options of every child (e.g. {@code -Xmx512m})
   * @throws IllegalStateException when a child exits or stays silent for {@code timeout}; the children started
   *     so far are stopped
   */
  public static ProcessCluster start(int workers, int devices, String backend, List<String> javaOptions,
      Duration timeout) {
    return start(1, List.of(), workers, devices, backend, javaOptions, timeout);
  }

  /**
   * As {@link #start(int, int, String, List, Duration)} with {@code coordinators} coordinators (the first forms the
   * cluster, the others join it), each given {@code coordinatorArgs} beside {@code --port} and a {@code --data-dir}
   * they share (docs/faults.md "Coordinator failover"); their up lines are {@link #upLines()}.
   */
  public static ProcessCluster start(int coordinators, List<String> coordinatorArgs, int workers, int devices,
      String backend, List<String> javaOptions, Duration timeout) {
    Path logs;
    try {
      logs = Files.createTempDirectory("zbpp-processes-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ProcessCluster c = new ProcessCluster(logs);
    try {
      for (int k = 0; k < coordinators; k++) {
        List<String> args = new ArrayList<>(List.of("coordinator", "--port", "0", "--data-dir",
            logs.resolve("data").toString()));
        if (k > 0) {
          args.addAll(List.of("--seed-nodes", c.seed));
        }
        args.addAll(coordinatorArgs);
        String up = c.launch(k == 0 ? "coordinator" : "coordinator-" + k, javaOptions, timeout,
            args.toArray(String[]::new));
        if (k == 0) {
          Matcher m = SEED.matcher(up);
          if (!m.find()) {
            throw new IllegalStateException("the coordinator's up line names no seed: " + up);
          }
          c.seed = m.group(1);
        }
      }
      List<CompletableFuture<String>> ups = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        String name = "worker-" + w;
        ups.add(CompletableFuture.supplyAsync(() -> c.launch(name, javaOptions, timeout, "worker", "--port", "0",
            "--seed-nodes", c.seed, "--devices", String.valueOf(devices), "--backend", backend,
            "--join-timeout", String.valueOf(Math.max(1, timeout.toSeconds())))));
      }
      ups.forEach(CompletableFuture::join);
      return c;
    } catch (RuntimeException e) {
      c.keepLogs = true;
      c.close();
      Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
          ? e.getCause() : e;
      throw cause instanceof IllegalStateException ise ? ise : new IllegalStateException(cause.getMessage(), cause);
    }
  }

  /** The coordinator's {@code host:port}, to join as a client. */
  public String seed() {
    return seed;
  }

  /** Each child's up line, in start order (coordinators first). */
  public synchronized List<String> upLines() {
    return List.copyOf(upLines);
  }

  /** Where each child's stderr is logged ({@code NAME.log}). */
  public Path logs() {
    return logs;
  }

  /** The child processes, coordinator first. */
  public synchronized List<ProcessHandle> processes() {
    return children.stream().map(Process::toHandle).toList();
  }

  /** Starts {@code zbpp ARGS} as a child and returns its up line ({@code zbpp COMMAND up at ...} on stdout). */
  private String launch(String name, List<String> javaOptions, Duration timeout, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(javaOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.zbpp.cli.Main"));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--exit-with", String.valueOf(ProcessHandle.current().pid())));
    Process p;
    synchronized (this) {
      try {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(logs.resolve(name + ".log").toFile());
        childEnvironment(pb.environment());
        p = pb.start();
      } catch (IOException e) {
        throw new IllegalStateException("cannot start " + name + ": " + e.getMessage(), e);
      }
      children.add(p);
    }
    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
      try {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String first = r.readLine();
        while (first != null && !first.startsWith("zbpp " + args[0] + " up at ")) {
          first = r.readLine();
        }
        Thread drain = new Thread(() -> r.lines().forEach(l -> { }), "zbpp-" + name + "-stdout");
        drain.setDaemon(true);
        drain.start();
        return first;
      } catch (IOException e) {
        return null;
      }
    });
    try {
      String up = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (up == null) {
        throw new IllegalStateException(name + " exited before it was up; see " + logs.resolve(name + ".log")
            + lastLine(name));
      }
      synchronized (this) {
        upLines.add(up);
      }
      return up;
    } catch (TimeoutException e) {
      throw new IllegalStateException(name + " was not up within " + timeout.toSeconds() + " s; see "
          + logs.resolve(name + ".log"));
    } catch (ExecutionException e) {
      throw new IllegalStateException(name + " failed: " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting " + name);
    }
  }

  /**
   * A child's environment: this JVM's, less {@code ZBPP_DISCOVERY}, since the children find each other through
   * the seed this launcher gives them, never through Kubernetes.
   */
  static void childEnvironment(java.util.Map<String, String> env) {
    env.remove(KubernetesBootstrap.DISCOVERY_VARIABLE);
  }

  private String lastLine(String name) {
    try {
      List<String> lines = Files.readAllLines(logs.resolve(name + ".log"));
      return lines.isEmpty() ? "" : ": " + lines.get(lines.size() - 1);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Stops every child and its descendants (SIGTERM, then SIGKILL for what is left after a grace period) and
   * deletes the log directory.
   */
  @Override
  public void close() {
    stopChildren();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook runs (or ran) stopChildren
    }
  }

  private synchronized void stopChildren() {
    try {
      stopProcesses();
    } finally {
      if (!keepLogs) {
        deleteLogs();
      }
    }
  }

  private void deleteLogs() {
    try (var files = Files.walk(logs)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // already gone, or unreadable: nothing more to clean
    }
  }

  private void stopProcesses() {
    List<ProcessHandle> all = new ArrayList<>();
    for (Process p : children) {
      p.descendants().forEach(all::add);
      all.add(p.toHandle());
    }
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + GRACE.toNanos();
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException | ExecutionException e) {
        h.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        h.destroyForcibly();
      }
    }
    all.stream().filter(ProcessHandle::isAlive).forEach(h -> {
      try {
        h.destroyForcibly();
        h.onExit().get(5, TimeUnit.SECONDS);
      } catch (InterruptedException | ExecutionException | TimeoutException e) {
        // reported by the caller's check that nothing is alive
      }
    });
  }
}
