package io.zbpp.cli;

import io.zbpp.server.ClusterNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Supplier;

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
   * peers stop with it; the children's own logs keep theirs.
   */
  static void quietTransport() {
    if (System.getenv("ZBPP_LOG_LEVEL") == null
        && org.slf4j.LoggerFactory.getLogger("org.apache.pekko.stream.Materializer")
            instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(ch.qos.logback.classic.Level.ERROR);
    }
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
    try {
      node = start.get();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    } catch (IllegalStateException e) {
      return failed(command, err, e.getMessage());
    }
    try {
      node.awaitUp(joinTimeout.plusSeconds(5));
    } catch (IllegalStateException e) {
      return failed(command, err, e.getMessage());
    }
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
