package io.zbpp.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.zbpp.server.KubernetesBootstrap;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests as {@code kubectl kustomize} renders each overlay, read into fabric8's typed
 * objects (a field the model does not know fails the test), checked against each other and against the
 * configuration the processes run with.
 */
class ManifestTest {
  static final Path K8S = Path.of("k8s");
  private static final boolean CI = "true".equals(System.getenv("CI"));

  /** {@code kubectl kustomize dir}'s YAML; skips the test (fails it under CI) without kubectl. */
  static String kustomize(Path dir) throws Exception {
    Optional<String> kubectl = onPath("kubectl");
    if (kubectl.isEmpty()) {
      if (CI) {
        fail("kubectl is not installed (.ci/run installs it)");
      }
      assumeTrue(false, "kubectl is not installed: the manifest tests render with `kubectl kustomize`");
    }
    Process p = new ProcessBuilder(kubectl.get(), "kustomize", dir.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("kubectl kustomize exit status").isZero();
    return yaml;
  }

  static List<HasMetadata> render(String overlay) throws Exception {
    String yaml = kustomize(K8S.resolve("overlays").resolve(overlay));
    KubernetesSerialization serialization = new KubernetesSerialization();
    ObjectMapper yamlReader = new ObjectMapper(new YAMLFactory());
    List<HasMetadata> objects = new ArrayList<>();
    try (YAMLParser parser = new YAMLFactory().createParser(yaml)) {
      for (JsonNode doc : yamlReader.readValues(parser, JsonNode.class).readAll()) {
        HasMetadata o = serialization.unmarshal(doc.toString(), HasMetadata.class);
        assertThat(o).as(doc.path("kind").asText() + " is a type fabric8 knows")
            .isNotInstanceOf(GenericKubernetesResource.class);
        assertNoUnknownFields(o, o.getKind() + "/" + o.getMetadata().getName());
        objects.add(o);
      }
    }
    return objects;
  }

  static Optional<String> onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return Optional.of(p.toString());
      }
    }
    return Optional.empty();
  }

  /** fabric8 keeps fields its model lacks in additionalProperties: each must be empty, all the way down. */
  static void assertNoUnknownFields(Object o, String where) {
    walk(o, where, new IdentityHashMap<>());
  }

  private static void walk(Object o, String where, IdentityHashMap<Object, Boolean> seen) {
    if (o == null || seen.put(o, true) != null) {
      return;
    }
    if (o instanceof Collection<?> c) {
      c.forEach(e -> walk(e, where, seen));
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.values().forEach(e -> walk(e, where, seen));
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(o);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      if (m.getName().equals("getAdditionalProperties")) {
        assertThat((Map<?, ?>) value).as("fields unknown to fabric8's " + o.getClass().getSimpleName() + " in "
            + where).isNullOrEmpty();
      } else {
        walk(value, where + "." + m.getName().substring(3), seen);
      }
    }
  }

  static <T> List<T> of(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  static Container container(StatefulSet s) {
    assertThat(s.getSpec().getTemplate().getSpec().getContainers()).hasSize(1);
    return s.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  /** The value of {@code --name=value} in the container's arguments. */
  static String arg(Container c, String name) {
    return c.getArgs().stream().filter(a -> a.startsWith(name + "=")).map(a -> a.substring(name.length() + 1))
        .findFirst().orElseThrow(() -> new AssertionError(c.getName() + " has no " + name));
  }

  static int port(Container c, String name) {
    return c.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
        .findFirst().orElseThrow(() -> new AssertionError("no container port named " + name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void everyWorkloadHasProbesLimitsAndALockedDownSecurityContext(String overlay) throws Exception {
    List<StatefulSet> sets = of(render(overlay), StatefulSet.class);
    assertThat(sets).extracting(s -> s.getMetadata().getName())
        .containsExactlyInAnyOrder("zbpp-coordinator", "zbpp-worker");
    for (StatefulSet s : sets) {
      PodSpec pod = s.getSpec().getTemplate().getSpec();
      Container c = container(s);
      String name = s.getMetadata().getName();
      assertThat(probe(c.getStartupProbe(), name)).isEqualTo("/alive");
      assertThat(probe(c.getReadinessProbe(), name)).isEqualTo("/ready");
      assertThat(probe(c.getLivenessProbe(), name)).isEqualTo("/alive");
      assertThat(c.getResources().getLimits()).as(name + " limits").containsKeys("cpu", "memory");
      assertThat(c.getResources().getRequests()).as(name + " requests").containsKeys("cpu", "memory");
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name + " runAsNonRoot").isTrue();
      assertThat(pod.getSecurityContext().getRunAsUser()).as(name + " runAsUser").isPositive();
      assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(name + " read-only root").isTrue();
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(name + " privilege escalation")
          .isFalse();
      assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(pod.getServiceAccountName()).isEqualTo("zbpp");
      assertThat(c.getVolumeMounts()).as(name + " mounts the TLS secret").anyMatch(m ->
          m.getMountPath().equals(arg(c, "--tls-dir")) && secretOf(pod, m.getName()).equals(Optional.of("zbpp-tls")));
    }
    Container coordinator = container(sets.stream().filter(s -> s.getMetadata().getName().contains("coord"))
        .findFirst().orElseThrow());
    PodSpec coordinatorPod = sets.stream().filter(s -> s.getMetadata().getName().contains("coord")).findFirst()
        .orElseThrow().getSpec().getTemplate().getSpec();
    Path tokens = Path.of(arg(coordinator, "--token-file")).getParent();
    assertThat(coordinator.getVolumeMounts()).as("the coordinator mounts the token secret").anyMatch(m ->
        Path.of(m.getMountPath()).equals(tokens) && secretOf(coordinatorPod, m.getName()).equals(Optional.of("zbpp-tokens")));
    StatefulSet coordinators = sets.stream().filter(s -> s.getMetadata().getName().contains("coord")).findFirst()
        .orElseThrow();
    assertThat(coordinators.getSpec().getUpdateStrategy().getType()).as("the standby is never ready")
        .isEqualTo("OnDelete");
    assertThat(coordinators.getSpec().getVolumeClaimTemplates()).as("no volume of its own: the replicas share one")
        .isNullOrEmpty();
    // the coordinators' data directory (job records, checkpoints) is one shared claim, mounted by every worker at
    // the same path, where the stages write their checkpoint shards (docs/faults.md "Coordinator failover")
    for (StatefulSet set : sets) {
      PodSpec pod = set.getSpec().getTemplate().getSpec();
      assertThat(container(set).getVolumeMounts()).as(set.getMetadata().getName() + " mounts the shared claim")
          .anyMatch(m -> m.getMountPath().equals(arg(coordinator, "--data-dir")) && pod.getVolumes().stream()
              .anyMatch(v -> v.getName().equals(m.getName()) && v.getPersistentVolumeClaim() != null
                  && v.getPersistentVolumeClaim().getClaimName().equals("zbpp-shared")));
      assertThat(pod.getSecurityContext().getFsGroup()).as(set.getMetadata().getName() + " fsGroup").isPositive();
    }
    assertThat(of(render(overlay), io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class))
        .singleElement().satisfies(c -> {
          assertThat(c.getMetadata().getName()).isEqualTo("zbpp-shared");
          assertThat(c.getSpec().getAccessModes()).as("kind and minikube offer one node's ReadWriteOnce")
              .containsExactly(overlay.equals("cpu") ? "ReadWriteOnce" : "ReadWriteMany");
        });
  }

  private static Optional<String> secretOf(PodSpec pod, String volume) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(volume) && v.getSecret() != null)
        .map(v -> v.getSecret().getSecretName()).findFirst();
  }

  private static String probe(Probe p, String where) {
    assertThat(p).as(where + " probe").isNotNull();
    assertThat(p.getHttpGet().getPort().getStrVal()).as(where + " probe port").isEqualTo("management");
    return p.getHttpGet().getPath();
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void servicesSelectPodsThatExistAndNameTheirPorts(String overlay) throws Exception {
    List<HasMetadata> objects = render(overlay);
    List<PodTemplateSpec> pods = of(objects, StatefulSet.class).stream().map(s -> s.getSpec().getTemplate())
        .toList();
    List<Service> services = of(objects, Service.class);
    assertThat(services).extracting(s -> s.getMetadata().getName()).contains("zbpp-cluster", "zbpp-api");
    for (Service s : services) {
      List<PodTemplateSpec> selected = selected(pods, s.getSpec().getSelector());
      assertThat(selected).as(s.getMetadata().getName() + " selects pods").isNotEmpty();
      for (ServicePort port : s.getSpec().getPorts()) {
        String target = port.getTargetPort().getStrVal();
        assertThat(target).as("service ports name their target").isNotNull();
        for (PodTemplateSpec pod : selected) {
          assertThat(pod.getSpec().getContainers().get(0).getPorts()).extracting(ContainerPort::getName)
              .as(s.getMetadata().getName() + " port " + target).contains(target);
        }
      }
    }
    for (PodDisruptionBudget b : of(objects, PodDisruptionBudget.class)) {
      assertThat(selected(pods, b.getSpec().getSelector().getMatchLabels())).isNotEmpty();
    }
    for (StatefulSet s : of(objects, StatefulSet.class)) {
      assertThat(selected(pods, s.getSpec().getSelector().getMatchLabels())).containsExactly(s.getSpec()
          .getTemplate());
      assertThat(services).extracting(v -> v.getMetadata().getName()).contains(s.getSpec().getServiceName());
    }
    Service headless = services.stream().filter(s -> s.getMetadata().getName().equals("zbpp-cluster"))
        .findFirst().orElseThrow();
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
    NetworkPolicy policy = of(objects, NetworkPolicy.class).get(0);
    assertThat(selected(pods, policy.getSpec().getPodSelector().getMatchLabels())).hasSize(pods.size());
    Set<String> policyPorts = policy.getSpec().getIngress().stream().flatMap(r -> r.getPorts().stream())
        .map(NetworkPolicyPort::getPort).map(p -> p.getStrVal()).collect(Collectors.toSet());
    assertThat(policyPorts).containsExactlyInAnyOrder("remoting", "management", "api");
    // Artery and management only from zbpp pods; the API from anywhere
    policy.getSpec().getIngress().forEach(rule -> {
      boolean internal = rule.getPorts().stream().anyMatch(p -> !p.getPort().getStrVal().equals("api"));
      if (internal) {
        assertThat(rule.getFrom()).isNotEmpty().allSatisfy(f -> assertThat(f.getPodSelector().getMatchLabels())
            .containsEntry("app.kubernetes.io/name", "zbpp"));
      }
    });
  }

  private static List<PodTemplateSpec> selected(List<PodTemplateSpec> pods, Map<String, String> selector) {
    assertThat(selector).isNotEmpty();
    return pods.stream().filter(p -> p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
        .toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void portsLabelsAndShutdownAgreeWithTheConfiguration(String overlay) throws Exception {
    Config bootstrap = KubernetesBootstrap.fromEnvironment(Map.of("ZBPP_DISCOVERY", "kubernetes"))
        .withFallback(ConfigFactory.load());
    String selector = bootstrap.getString("pekko.discovery.kubernetes-api.pod-label-selector");
    String[] label = selector.split("=");
    Config shutdown = ConfigFactory.load().getConfig("pekko.coordinated-shutdown");
    long shutdownSeconds = 0;
    for (String phase : shutdown.getConfig("phases").root().keySet()) {
      Config c = shutdown.getConfig("phases").getConfig(phase);
      shutdownSeconds += (c.hasPath("timeout") ? c.getDuration("timeout") : shutdown.getDuration(
          "default-phase-timeout")).toSeconds();
    }
    for (StatefulSet s : of(render(overlay), StatefulSet.class)) {
      Container c = container(s);
      assertThat(s.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(label[0], label[1]);
      assertThat(port(c, "remoting")).isEqualTo(Integer.parseInt(arg(c, "--port")));
      assertThat(port(c, bootstrap.getString(
          "pekko.management.cluster.bootstrap.contact-point-discovery.port-name")))
          .isEqualTo(Integer.parseInt(arg(c, "--management-port")));
      if (c.getArgs().get(0).equals("coordinator")) {
        assertThat(port(c, "api")).isEqualTo(Integer.parseInt(arg(c, "--api-port")));
      }
      assertThat(arg(c, "--host")).isEqualTo("$(POD_IP)");
      assertThat(c.getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
          .contains(org.assertj.core.groups.Tuple.tuple("ZBPP_DISCOVERY", "kubernetes"));
      assertThat(c.getEnv()).anyMatch(e -> e.getName().equals("POD_IP")
          && e.getValueFrom().getFieldRef().getFieldPath().equals("status.podIP"));
      List<String> preStop = c.getLifecycle().getPreStop().getExec().getCommand();
      assertThat(preStop.get(0)).isEqualTo("sleep");
      long grace = s.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
      assertThat(grace).as("grace period covers preStop + every coordinated-shutdown phase's timeout ("
          + shutdownSeconds + " s)").isGreaterThanOrEqualTo(Long.parseLong(preStop.get(1)) + shutdownSeconds);
    }
  }

  @Test
  void theRoleGrantsExactlyWhatDiscoveryNeeds() throws Exception {
    List<HasMetadata> objects = render("cpu");
    List<Role> roles = of(objects, Role.class);
    assertThat(roles).hasSize(1);
    List<PolicyRule> rules = roles.get(0).getRules();
    assertThat(rules).hasSize(1);
    assertThat(rules.get(0).getApiGroups()).containsExactly("");
    assertThat(rules.get(0).getResources()).containsExactly("pods");
    assertThat(rules.get(0).getVerbs()).containsExactlyInAnyOrder("get", "list", "watch");
    RoleBinding binding = of(objects, RoleBinding.class).get(0);
    assertThat(binding.getRoleRef().getName()).isEqualTo(roles.get(0).getMetadata().getName());
    assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
      assertThat(s.getKind()).isEqualTo("ServiceAccount");
      assertThat(s.getName()).isEqualTo("zbpp");
      assertThat(s.getNamespace()).isEqualTo(binding.getMetadata().getNamespace());
    });
  }

  @Test
  void yamllintIsClean() throws IOException, InterruptedException {
    Optional<String> yamllint = onPath("yamllint");
    if (yamllint.isEmpty()) {
      if (CI) {
        fail("yamllint is not installed (.ci/run installs it)");
      }
      assumeTrue(false, "yamllint is not installed (Debian package yamllint)");
    }
    Process p = new ProcessBuilder(yamllint.get(), "--strict", "-c", K8S.resolve(".yamllint").toString(),
        K8S.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }
}
