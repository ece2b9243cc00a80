package io.zbpp.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.Map;

/**
 * How a node finds the cluster: by its configured seeds ({@code --seed-nodes}, the default) or, with the
 * environment variable {@code ZBPP_DISCOVERY=kubernetes}, by Pekko Management's Cluster Bootstrap with
 * {@code kubernetes-api} discovery: the node lists the pods labelled {@code app.kubernetes.io/name=zbpp} in its
 * namespace, probes their port named {@value #MANAGEMENT_PORT_NAME}, and joins (or, as the lowest address among
 * enough contact points, forms) the cluster they agree on (docs/kubernetes.md).
 *
 * <p>The discovery lists only pods in phase {@code Running}; it does not wait for readiness, since a pod becomes
 * ready only once it is a member. The Kubernetes settings come from the environment:
 * {@code ZBPP_BOOTSTRAP_CONTACT_POINTS} (how many pods must answer before a new cluster forms, default 2) and
 * {@code ZBPP_K8S_SELECTOR} (the pods' label selector, default {@value #DEFAULT_SELECTOR}).
 */
public final class KubernetesBootstrap {
  /** The configuration key that says which discovery a node uses: {@code seeds} or {@code kubernetes}. */
  public static final String DISCOVERY_KEY = "zbpp.discovery";
  /** The environment variable that chooses the discovery: {@code seeds} (the default) or {@code kubernetes}. */
  public static final String DISCOVERY_VARIABLE = "ZBPP_DISCOVERY";
  /** The container port name of Pekko Management in the pod spec, probed by Cluster Bootstrap. */
  public static final String MANAGEMENT_PORT_NAME = "management";
  public static final String DEFAULT_SELECTOR = "app.kubernetes.io/name=zbpp";

  private KubernetesBootstrap() {}

  /**
   * The discovery configuration chosen by {@code env}: {@code zbpp.discovery = seeds} without
   * {@code ZBPP_DISCOVERY}; with {@code ZBPP_DISCOVERY=kubernetes} also Cluster Bootstrap's settings.
   *
   * @throws IllegalArgumentException (one line naming the variable) for any other value or a bad count
   */
  public static Config fromEnvironment(Map<String, String> env) {
    String mode = env.getOrDefault(DISCOVERY_VARIABLE, "seeds");
    if (mode.equals("seeds")) {
      return ConfigFactory.empty().withValue(DISCOVERY_KEY, ConfigValueFactory.fromAnyRef("seeds"));
    }
    if (!mode.equals("kubernetes")) {
      throw new IllegalArgumentException("ZBPP_DISCOVERY [" + mode + "]: expected seeds or kubernetes");
    }
    String count = env.getOrDefault("ZBPP_BOOTSTRAP_CONTACT_POINTS", "2");
    int contactPoints;
    try {
      contactPoints = Integer.parseInt(count.trim());
    } catch (NumberFormatException e) {
      contactPoints = 0;
    }
    if (contactPoints < 1) {
      throw new IllegalArgumentException("ZBPP_BOOTSTRAP_CONTACT_POINTS [" + count + "]: expected a whole number "
          + "of at least 1");
    }
    return kubernetes(env.getOrDefault("ZBPP_K8S_SELECTOR", DEFAULT_SELECTOR), contactPoints);
  }

  /** Cluster Bootstrap over {@code kubernetes-api} discovery of the pods that {@code selector} matches. */
  public static Config kubernetes(String selector, int requiredContactPoints) {
    String bootstrap = "pekko.management.cluster.bootstrap.contact-point-discovery.";
    return ConfigFactory.empty()
        .withValue(DISCOVERY_KEY, ConfigValueFactory.fromAnyRef("kubernetes"))
        .withValue(bootstrap + "discovery-method", ConfigValueFactory.fromAnyRef("kubernetes-api"))
        .withValue(bootstrap + "service-name", ConfigValueFactory.fromAnyRef("zbpp"))
        .withValue(bootstrap + "port-name", ConfigValueFactory.fromAnyRef(MANAGEMENT_PORT_NAME))
        .withValue(bootstrap + "required-contact-point-nr", ConfigValueFactory.fromAnyRef(requiredContactPoints))
        // the selector is used as it is; Pekko substitutes the service name for a %s in it
        .withValue("pekko.discovery.kubernetes-api.pod-label-selector", ConfigValueFactory.fromAnyRef(selector))
        // contact points by pod IP, which is also the address management binds (--host is the pod IP)
        .withValue("pekko.discovery.kubernetes-api.use-raw-ip", ConfigValueFactory.fromAnyRef(true));
  }

  /** Whether {@code config} asks for Cluster Bootstrap rather than seeds. */
  public static boolean enabled(Config config) {
    return config.hasPath(DISCOVERY_KEY) && config.getString(DISCOVERY_KEY).equals("kubernetes");
  }
}
