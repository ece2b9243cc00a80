package io.zbpp.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The rules that matter for the images, checked without a container engine (no hadolint here): every base
 * pinned by version or digest, the runtime stage runs as the unprivileged user the manifests expect, no
 * secret reaches a layer, and the entry point is the launcher in exec form.
 */
class DockerfileTest {
  private static final Path DOCKER = Path.of("docker");
  private static final Pattern PINNED = Pattern.compile("[^:@\\s]+(:[^:@\\s]*\\d[^:@\\s]*)?(@sha256:[0-9a-f]{64})?");
  private static final Pattern SECRET_WORD = Pattern.compile("(?i)(secret|passw|token|apikey|api_key|private)");

  /** Instructions with line continuations joined and comments dropped. */
  static List<String> instructions(Path dockerfile) throws IOException {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(dockerfile)) {
      String t = line.strip();
      if (t.startsWith("#") || (t.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (t.endsWith("\\")) {
        current.append(t, 0, t.length() - 1).append(' ');
      } else {
        current.append(t);
        if (!current.toString().isBlank()) {
          out.add(current.toString().strip());
        }
        current.setLength(0);
      }
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"Dockerfile", "Dockerfile.cuda"})
  void basesArePinnedAndTheRuntimeIsUnprivileged(String name) throws IOException {
    List<String> lines = instructions(DOCKER.resolve(name));
    Set<String> stages = new HashSet<>();
    String lastUser = null;
    int froms = 0;
    for (String line : lines) {
      String keyword = line.split("\\s+")[0].toUpperCase(Locale.ROOT);
      String[] words = line.split("\\s+");
      switch (keyword) {
        case "FROM" -> {
          froms++;
          lastUser = null;
          String image = words[1];
          if (!stages.contains(image)) {
            assertThat(image).as(name + ": a base pinned by version or digest").matches(PINNED)
                .doesNotEndWith(":latest").satisfies(i -> assertThat(i.contains(":") || i.contains("@sha256:"))
                    .as(image + " names a version").isTrue());
          }
          if (words.length >= 4 && words[2].equalsIgnoreCase("AS")) {
            stages.add(words[3]);
          }
        }
        case "USER" -> lastUser = words[1];
        case "ENV", "ARG" -> assertThat(SECRET_WORD.matcher(line.substring(keyword.length())).find())
            .as(name + ": no secrets in " + line).isFalse();
        case "COPY", "ADD" -> {
          assertThat(keyword).as(name + ": COPY, not ADD (no remote fetches or archive surprises)")
              .isEqualTo("COPY");
          assertThat(line).as(name + ": copies no keys or tokens").doesNotContainPattern(
              "(?i)(\\.key|\\.pem|\\.p12|tls|token|secret)");
        }
        default -> { }
      }
    }
    assertThat(froms).as(name + " is multi-stage").isGreaterThanOrEqualTo(2);
    assertThat(lastUser).as(name + ": the runtime stage sets a USER").isNotNull();
    String uid = lastUser.split(":")[0];
    assertThat(uid).as("a numeric, non-root user (runAsNonRoot needs a number)").matches("\\d+").isNotEqualTo("0");
    assertThat(Long.parseLong(uid)).isEqualTo(manifestUser());
    assertThat(lines.get(lines.size() - 1 - (lines.get(lines.size() - 1).startsWith("CMD") ? 1 : 0)))
        .isEqualTo("ENTRYPOINT [\"/opt/zbpp/zbpp\"]");
  }

  @Test
  void theBuildContextLeavesSecretsAndBuildOutputOut() throws IOException {
    List<String> ignored = Files.readAllLines(Path.of("..", ".dockerignore")).stream().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertThat(ignored).contains("**/target", ".git", "**/*.key", "**/*.pem", "**/tls", "**/tokens");
  }

  /** The runAsUser of every workload in the base manifests (all the same). */
  private static long manifestUser() throws IOException {
    Set<Long> users = new HashSet<>();
    for (String file : List.of("coordinator.yaml", "worker.yaml")) {
      try (InputStream in = Files.newInputStream(ManifestTest.K8S.resolve("base").resolve(file))) {
        Object o = new KubernetesSerialization().unmarshal(in);
        List<?> objects = o instanceof List<?> l ? l : List.of(o);
        for (Object item : objects) {
          if (item instanceof StatefulSet s) {
            users.add(s.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser());
          } else {
            assertThat(item).isInstanceOf(HasMetadata.class);
          }
        }
      }
    }
    assertThat(users).hasSize(1);
    return users.iterator().next();
  }
}
