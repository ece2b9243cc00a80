package io.zbpp.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.zbpp.server.ClusterNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.slf4j.LoggerFactory;

/**
 * Runs a server command's node: starts it (bad settings → {@link UsageException}, exit 2), waits until it is
 * Up, prints the command's one line, and blocks until the node stops (SIGTERM runs the coordinated shutdown
 * through the JVM's shutdown hook). A node that cannot join or start answers one line and exit 1.
 */
final class NodeRun {
  private NodeRun() {}

  /** Server commands log membership and placement at INFO unless ZBPP_LOG_LEVEL chooses otherwise. */
  static void infoLogging() {
    if (System.getenv("ZBPP_LOG_LEVEL") == null
        && org.slf4j.LoggerFactory.getLogger("io.zbpp") instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(ch.qos.logback.classic.Level.INFO);
    }
  }

  /**
   * Hides Artery's per-connection warnings ("connection has been aborted") of a short-lived client node, whose
   * peers stop with it, and the coordinated shutdown's phase timeouts of its leaving (a worker that died leaves the
   * cluster unconverged, so its leave cannot complete: it ends anyway, with its children); the children's own logs
   * keep theirs.
   */
  static void quietTransport() {
    if (System.getenv("ZBPP_LOG_LEVEL") == null) {
      for (String name : new String[] {"org.apache.pekko.stream.Materializer",
          "org.apache.pekko.actor.CoordinatedShutdown"}) {
        if (org.slf4j.LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger l) {
          l.setLevel(ch.qos.logback.classic.Level.ERROR);
        }
      }
    }
  }

  /**
   * While a node joins, Pekko warns every few seconds that the seeds do not answer yet and this node's own actors
   * log their start; the command's one line says whether it joined, so until then only errors show (unless
   * ZBPP_LOG_LEVEL asks for more). Returns what puts the levels back.
   */
  private static Runnable quietWhileJoining() {
    return quiet(Map.of("org.apache.pekko.cluster.Cluster", Level.ERROR, "org.apache.pekko.stream.Materializer",
        Level.ERROR, "io.zbpp", Level.WARN));
  }

  /**
   * Once a node leaves (SIGTERM), its peers close their connections to it: Artery's "connection has been aborted"
   * warnings are expected then, not news.
   */
  private static void quietWhileLeaving(ClusterNode node) {
    CoordinatedShutdown.get(Adapter.toClassic(node.system())).addTask(CoordinatedShutdown.PhaseClusterLeave(),
        "zbpp-quiet-leave", () -> {
          quiet(Map.of("org.apache.pekko.stream.Materializer", Level.ERROR));
          return CompletableFuture.completedFuture(Done.getInstance());
        });
  }

  /** A node that could not join stops without logging its half-started actors' teardown. */
  private static Runnable quietTeardown() {
    return quiet(Map.of("org.apache.pekko", Level.OFF, "io.zbpp", Level.OFF));
  }

  private static Runnable quiet(Map<String, Level> levels) {
    Map<Logger, Level> before = new HashMap<>();
    if (System.getenv("ZBPP_LOG_LEVEL") == null) {
      levels.forEach((name, level) -> {
        if (LoggerFactory.getLogger(name) instanceof Logger l) {
          before.put(l, l.getLevel());
          l.setLevel(level);
        }
      });
    }
    return () -> before.forEach(Logger::setLevel);
  }

  /**
   * @param command {@code coordinator} or {@code worker}, for the messages
   * @param start starts the node; {@link IllegalArgumentException} means bad input
   * @param upLine the line printed once the node is Up
   */
  static int run(String command, PrintWriter out, PrintWriter err, Duration joinTimeout,
      Supplier<ClusterNode> start, java.util.function.Function<ClusterNode, String> upLine) {
    return run(command, out, err, joinTimeout, null, start, upLine);
  }

  /**
   * As above; with {@code exitWith}, the node also leaves and stops when that process ends (even by SIGKILL,
   * which runs no shutdown hook of its own), so a launcher's children never outlive it.
   */
  static int run(String command, PrintWriter out, PrintWriter err, Duration joinTimeout, Long exitWith,
      Supplier<ClusterNode> start, java.util.function.Function<ClusterNode, String> upLine) {
    ClusterNode node;
    Runnable loud = quietWhileJoining();
    try {
      node = start.get();
      if (!node.waitUp(joinTimeout)) {
        Runnable teardownDone = quietTeardown();
        try {
          return failed(command, err, node.giveUp());
        } finally {
          teardownDone.run();
        }
      }
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    } catch (IllegalStateException e) {
      return failed(command, err, e.getMessage());
    } finally {
      loud.run();
    }
    quietWhileLeaving(node);
    if (exitWith != null) {
      ProcessHandle.of(exitWith).ifPresentOrElse(parent -> parent.onExit().thenRun(node::close), node::close);
    }
    out.println(upLine.apply(node));
    out.flush();
    node.terminated().join();
    return 0;
  }

  private static int failed(String command, PrintWriter err, String message) {
    err.println("zbpp " + command + ": " + message);
    err.flush();
    return 1;
  }
}
