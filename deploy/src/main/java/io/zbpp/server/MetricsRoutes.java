package io.zbpp.server;

import io.zbpp.metrics.NodeMetrics;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * Adds {@code GET /metrics} to Pekko Management's HTTP endpoint: the node's {@link NodeMetrics} as Prometheus
 * text, without a token (as {@code /ready} and {@code /alive}), so one port per node serves health and metrics.
 * Registered by {@link NodeSettings#config} under {@code pekko.management.http.routes.metrics}.
 */
public final class MetricsRoutes extends AbstractExtensionId<MetricsRoutes.Provider> implements ExtensionIdProvider {
  public static final MetricsRoutes INSTANCE = new MetricsRoutes();

  /** Prometheus' text exposition format, version 0.0.4. */
  static final ContentType CONTENT_TYPE = ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  @Override
  public MetricsRoutes lookup() {
    return INSTANCE;
  }

  @Override
  public Provider createExtension(ExtendedActorSystem system) {
    return new Provider(NodeMetrics.get(Adapter.toTyped(system)));
  }

  /** The route provider Pekko Management asks for its routes. */
  public static final class Provider implements ManagementRouteProvider {
    private final NodeMetrics metrics;

    Provider(NodeMetrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
      return Directives.path("metrics", () -> Directives.get(() -> 
          Directives.complete(HttpEntities.create(CONTENT_TYPE,
              metrics.scrape().getBytes(StandardCharsets.UTF_8)))));
    }
  }
}
