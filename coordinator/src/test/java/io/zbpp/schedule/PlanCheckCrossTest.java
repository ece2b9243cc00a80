package io.zbpp.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cross-checks the simulator against the independent checker {@code shared/tools/plancheck.py} (docs/design.md):
 * the same plan file and costs give the same cost and per-stage peak memory within 1e-6 relative. Skips, saying
 * which optional tool is missing, when python3 or the checker is absent, and fails instead when {@code CI=true};
 * the checker is found as {@code shared/tools/plancheck.py} in the working
 * directory or any directory above it (CI has {@code shared/} beside the clone).
 */
class PlanCheckCrossTest {
  private static final Pattern COST = Pattern.compile("\"cost\": ([-0-9.eE+]+)");
  private static final Pattern PEAK = Pattern.compile("\"peakMemory\": \\[([^]]*)]");

  @TempDir
  Path dir;

  static Stream<Arguments> plans() {
    return Stream.of(
        Arguments.of("zb-h1", new Shape(4, 8, 1)),
        Arguments.of("zb-h2", new Shape(3, 7, 1)),
        Arguments.of("zb-v", new Shape(3, 7, 2)),
        Arguments.of("zb-v", new Shape(4, 3, 2)),
        Arguments.of("1f1b-i", new Shape(3, 7, 2)),
        Arguments.of("1f1b", new Shape(4, 6, 1)),
        Arguments.of("gpipe", new Shape(2, 3, 1)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("plans")
  void simulatorAgreesWithThePythonChecker(String name, Shape shape) throws Exception {
    Optional<Path> checker = findChecker();
    requireTool(checker.isPresent(), "shared/tools/plancheck.py not found above " + Path.of("").toAbsolutePath());
    requireTool(pythonAvailable(), "python3 not on the PATH");
    int p = shape.stages();
    CostModel costs = CostModel.builder(p).tf(values(p, s -> 1 + 0.37 * s)).tb(values(p, s -> 2 - 0.21 * s))
        .tw(values(p, s -> 0.5 + 0.13 * (s % 3))).comm(0.17)
        .memF(values(p, s -> 3 + s)).memB(values(p, s -> -1.25)).memW(values(p, s -> -1.75 - s)).build();
    Plan plan = Schedules.byName(name).plan(shape, costs);
    Timeline ours = Simulator.simulate(plan, costs);
    Path file = dir.resolve(name + ".plan");
    Files.writeString(file, PlanText.formatNamed(plan));

    String out = run(checker.get(), file, plan.microbatches(), costs);

    assertThat(number(COST, out)).isCloseTo(ours.cost(), within(1e-6 * ours.cost()));
    List<Double> peaks = peaks(out);
    assertThat(peaks).hasSize(p);
    for (int s = 0; s < p; s++) {
      assertThat(peaks.get(s)).as("stage %d", s)
          .isCloseTo(ours.peakMemory(s), within(1e-6 * Math.max(1, Math.abs(ours.peakMemory(s)))));
    }
  }

  private static double[] values(int p, IntToDoubleFunction f) {
    double[] v = new double[p];
    for (int s = 0; s < p; s++) {
      v[s] = f.applyAsDouble(s);
    }
    return v;
  }

  /**
   * Skips, naming the optional tool, when it is missing; with {@code CI=true} the tool is required and its
   * absence fails the test instead.
   */
  static void requireTool(boolean present, String missing) {
    if (present) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI=true requires the plan checker: " + missing);
    }
    abort("optional tool for this cross-check (python3 and shared/tools/plancheck.py): " + missing);
  }

  static Optional<Path> findChecker() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path candidate = d.resolve("shared/tools/plancheck.py");
      if (Files.isRegularFile(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static Boolean python;

  private static synchronized boolean pythonAvailable() {
    if (python == null) {
      python = probePython();
    }
    return python;
  }

  private static boolean probePython() {
    try {
      Process proc = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      proc.getInputStream().readAllBytes();
      return proc.waitFor(30, TimeUnit.SECONDS) && proc.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String run(Path checker, Path plan, int m, CostModel c) throws Exception {
    int p = c.stages();
    List<String> cmd = new ArrayList<>(List.of("python3", checker.toString(), plan.toString(),
        "--microbatches", Integer.toString(m), "--cost-comm=" + c.comm()));
    cmd.add("--cost-f=" + join(p, c::tf));
    cmd.add("--cost-b=" + join(p, c::tb));
    cmd.add("--cost-w=" + join(p, c::tw));
    cmd.add("--mem-f=" + join(p, c::memF));
    cmd.add("--mem-b=" + join(p, c::memB));
    cmd.add("--mem-w=" + join(p, c::memW));
    Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(proc.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(proc.exitValue()).as(out).isZero();
    return out;
  }

  private static String join(int p, IntToDoubleFunction f) {
    List<String> parts = new ArrayList<>();
    for (int s = 0; s < p; s++) {
      parts.add(Double.toString(f.applyAsDouble(s)));
    }
    return String.join(",", parts);
  }

  private static double number(Pattern pattern, String out) {
    Matcher m = pattern.matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private static List<Double> peaks(String out) {
    Matcher m = PEAK.matcher(out);
    assertThat(m.find()).as(out).isTrue();
    List<Double> v = new ArrayList<>();
    for (String s : m.group(1).split(",")) {
      v.add(Double.parseDouble(s.trim()));
    }
    return v;
  }
}
