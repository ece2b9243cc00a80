package io.zbpp.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * One node's metrics (one per actor system, so a cluster of actor systems in one JVM keeps them apart): a
 * Micrometer registry written as Prometheus text by {@link #scrape}, and the recorders of the coordinator and
 * the stages that run on the node. Every name starts with {@code zbpp_} (docs/observability.md).
 */
public final class NodeMetrics implements Extension {
  private static final Id ID = new Id();

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private CoordinatorMetrics coordinator;
  private StageMetrics stages;

  public static NodeMetrics get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** What the coordinator of this node records; its series appear once a coordinator asked for it. */
  public synchronized CoordinatorMetrics coordinator() {
    if (coordinator == null) {
      coordinator = new CoordinatorMetrics(registry);
    }
    return coordinator;
  }

  /** What the stage actors of this node record; their series appear once a stage ran. */
  public synchronized StageMetrics stages() {
    if (stages == null) {
      stages = new StageMetrics(registry);
    }
    return stages;
  }

  /** Every metric of the node in the Prometheus text format (version 0.0.4). */
  public String scrape() {
    return registry.scrape();
  }

  private static final class Id extends ExtensionId<NodeMetrics> {
    @Override
    public NodeMetrics createExtension(ActorSystem<?> system) {
      return new NodeMetrics();
    }
  }
}
