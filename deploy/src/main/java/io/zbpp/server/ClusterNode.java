package io.zbpp.server;

import com.typesafe.config.Config;
import java.net.BindException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * One running cluster node: an actor system with the cluster provider, joined to the seeds (or to itself,
 * forming a new cluster, when there are none), a {@link MembershipLog}, the role's own actors (started by
 * {@code roleSetup} in the guardian) and, when a management port is given, Pekko Management's HTTP endpoint
 * with {@code /ready} and {@code /alive}. With {@code ZBPP_DISCOVERY=kubernetes} ({@link KubernetesBootstrap}) Cluster
 * Bootstrap finds the members instead of the seeds. {@link #close} runs the coordinated shutdown: the node leaves the
 * cluster before its actor system stops; SIGTERM does the same through the JVM's shutdown hook.
 *
 * <p>{@link #start} throws {@link IllegalArgumentException} for bad settings (a port in use, TLS files
 * missing) with one line naming the option, and {@link IllegalStateException} for other start failures.
 */
public final class ClusterNode implements AutoCloseable {
  private final ActorSystem<Void> system;
  private final CompletableFuture<Void> up = new CompletableFuture<>();
  private final Optional<URI> management;
  private final Duration joinTimeout;
  private final long startNanos = System.nanoTime();

  private ClusterNode(ActorSystem<Void> system, Optional<URI> management, Duration joinTimeout) {
    this.system = system;
    this.management = management;
    this.joinTimeout = joinTimeout;
  }

  /** Starts a node with cluster role {@code role}; {@code overrides} win over the settings' configuration. */
  public static ClusterNode start(NodeSettings settings, String role, Consumer<ActorContext<Void>> roleSetup,
      Config overrides) {
    settings.tls().ifPresent(t -> {
      if (!t.missing().isEmpty()) {
        throw new IllegalArgumentException("--tls-dir [" + t.key().getParent() + "]: missing "
            + String.join(", ", t.missing()) + "; expected PEM files tls.key, tls.crt and ca.crt (zbpp certs "
            + "makes them)");
      }
    });
    Config config = settings.config(role, overrides);
    boolean bootstrap = KubernetesBootstrap.enabled(config);
    if (bootstrap && settings.managementPort().isEmpty()) {
      throw new IllegalArgumentException("--management-port: required with ZBPP_DISCOVERY=kubernetes (Cluster "
          + "Bootstrap probes the port named " + KubernetesBootstrap.MANAGEMENT_PORT_NAME + ")");
    }
    checkFree("--port", settings.host(), settings.port());
    settings.managementPort().ifPresent(p -> checkFree("--management-port", settings.host(), p));
    Behavior<Void> guardian = Behaviors.setup(ctx -> {
      ctx.spawn(MembershipLog.create(), "membership");
      ClusterGauges.register(ctx.getSystem());
      roleSetup.accept(ctx);
      return Behaviors.empty();
    });
    ActorSystem<Void> system;
    try {
      system = ActorSystem.create(guardian, NodeSettings.SYSTEM, config);
    } catch (RuntimeException e) {
      throw startFailure(settings, e);
    }
    Optional<URI> management;
    try {
      management = startManagement(system, settings);
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
    ClusterNode node = new ClusterNode(system, management, settings.joinTimeout());
    org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system)).registerOnMemberUp(() -> node.up.complete(null));
    if (bootstrap) {
      ClusterBootstrap.get(Adapter.toClassic(system)).start();
    } else if (settings.seeds().isEmpty()) {
      Cluster.get(system).manager().tell(Join.create(Cluster.get(system).selfMember().address()));
    }
    return node;
  }

  /**
   * Fails with one line when {@code port} cannot be bound on {@code host}, before Pekko tries (and logs a stack
   * trace); Pekko's own bind failure is still translated by {@link #startFailure}.
   */
  private static void checkFree(String option, String host, int port) {
    try (java.net.ServerSocket s = new java.net.ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new java.net.InetSocketAddress(host, port));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(port == 0
          ? "--host [" + host + "]: cannot bind it (not an address of this machine)"
          : option + " [" + port + "]: cannot bind " + host + ":" + port + " (in use, or not an address of this machine)");
    }
  }

  private static Optional<URI> startManagement(ActorSystem<Void> system, NodeSettings settings) {
    if (settings.managementPort().isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(URI.create(PekkoManagement.get(Adapter.toClassic(system)).start().toCompletableFuture()
          .get(30, TimeUnit.SECONDS).toString()));
    } catch (ExecutionException e) {
      if (hasCause(e, BindException.class)) {
        throw new IllegalArgumentException("--management-port [" + settings.managementPort().getAsInt()
            + "]: cannot bind " + settings.host() + ":" + settings.managementPort().getAsInt()
            + " (in use, or not an address of this machine)");
      }
      throw new IllegalStateException("management endpoint did not start: " + e.getCause().getMessage());
    } catch (TimeoutException e) {
      throw new IllegalStateException("management endpoint did not start within 30 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the management endpoint");
    }
  }

  private static RuntimeException startFailure(NodeSettings settings, RuntimeException e) {
    if (hasCause(e, BindException.class) || String.valueOf(e.getMessage()).contains("Failed to bind")) {
      return new IllegalArgumentException("--port [" + settings.port() + "]: cannot bind " + settings.host() + ":"
          + settings.port() + " (in use, or not an address of this machine)");
    }
    return new IllegalStateException("actor system did not start: " + e.getMessage());
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** This node's address, {@code pekko://zbpp@host:port} (the port as bound when 0 was asked for). */
  public String address() {
    return system.address().toString();
  }

  /** {@code host:port} of this node, as {@code --seed-nodes} takes it. */
  public String seed() {
    return system.address().getHost().get() + ":" + system.address().getPort().get();
  }

  /** Management's base URI ({@code http://host:port/}), when started. */
  public Optional<URI> management() {
    return management;
  }

  /** Completes when this node is an Up member of the cluster. */
  public CompletableFuture<Void> up() {
    return up;
  }

  /** Completes when the actor system has stopped (coordinated shutdown, or a failed join). */
  public CompletableFuture<Void> terminated() {
    return system.getWhenTerminated().toCompletableFuture().thenApply(d -> null);
  }

  /**
   * Waits until the node is Up.
   *
   * @throws IllegalStateException when it stops first (the seeds could not be joined) or {@code timeout} passes
   */
  public void awaitUp(Duration timeout) {
    if (!waitUp(timeout)) {
      throw new IllegalStateException(giveUp());
    }
  }

  /**
   * Waits until the node is Up, it stops, or {@code timeout} passes, but not past the settings' join timeout
   * (counted from the start); whether it is Up.
   */
  public boolean waitUp(Duration timeout) {
    long joinLeft = joinTimeout.toNanos() - (System.nanoTime() - startNanos);
    try {
      CompletableFuture.anyOf(up, terminated()).get(Math.max(0, Math.min(timeout.toNanos(), joinLeft)),
          TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // answered below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return up.isDone();
  }

  /** Stops a node that did not join (see {@link #waitUp}) and says so in one line. */
  public String giveUp() {
    close();
    String how = KubernetesBootstrap.enabled(system.settings().config())
        ? "through Cluster Bootstrap (kubernetes-api discovery)"
        : "at " + system.settings().config().getStringList("pekko.cluster.seed-nodes");
    return "could not join the cluster " + how + " within " + joinTimeout.toSeconds() + " s";
  }

  /** Leaves the cluster and stops the actor system (coordinated shutdown); waits up to 30 s. */
  @Override
  public void close() {
    CoordinatedShutdown.get(Adapter.toClassic(system)).runAll(CoordinatedShutdown.unknownReason());
    try {
      terminated().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      system.terminate();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
