package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The optimizer-check flags of {@code zbpp train} (issue 6): pipeline runs against {@code --schedule reference}
 * with the same flags, bit for bit, on the tiny model (cpu, p = 3, m = 3, 3 iterations).
 */
class TrainOptimizerCheckTest {
  /** Small enough that every iteration's gradients are clipped. */
  private static final String CLIP = "0.01";

  /** Reference runs by their extra flags, each run once for the whole class. */
  private static final Map<List<String>, JsonObject> REFERENCE = new ConcurrentHashMap<>();

  private static JsonObject reference(String... more) {
    return REFERENCE.computeIfAbsent(List.of(more), k -> train("reference", more));
  }

  private static JsonObject train(String schedule, String... more) {
    String[] base = {"train", "--schedule", schedule, "--model", "tiny", "--stages", "3", "--microbatches", "3",
        "--iterations", "3", "--seed", "5", "--json"};
    Cli c = Cli.run(Stream.concat(Stream.of(base), Stream.of(more)).toArray(String[]::new));
    assertThat(c.exit()).as(c.err()).isZero();
    return c.json();
  }

  private static void assertSameTraining(JsonObject pipeline, JsonObject reference) {
    assertThat(pipeline.get("losses")).isEqualTo(reference.get("losses"));
    assertThat(pipeline.get("paramsSha256")).isEqualTo(reference.get("paramsSha256"));
    assertThat(pipeline.get("skippedSteps")).isEqualTo(reference.get("skippedSteps"));
    assertThat(pipeline.get("clippedSteps")).isEqualTo(reference.get("clippedSteps"));
  }

  @Test
  void anInjectedNanSkipsOneStepOnZb2pAsOnTheReference() {
    JsonObject zb = train("zb-2p", "--inject-nan", "1:1");
    JsonObject ref = reference("--inject-nan", "1:1");

    assertSameTraining(zb, ref);
    assertThat(zb.get("skippedSteps").getAsInt()).isEqualTo(1);
    assertThat(zb.get("postValidation").getAsString()).isEqualTo("on");
    assertThat(zb.get("rollbackMode").getAsString()).isEqualTo("exact");
    assertThat(zb.get("rollbacks").getAsInt()).as("stage 0 stepped eagerly, then rolled back").isPositive();
    assertThat(zb.get("rollbackBytes").getAsLong()).isPositive();
    assertThat(ref.get("rollbacks").getAsInt()).isZero();
    assertThat(ref.get("postValidation").getAsString()).isEqualTo("off");
  }

  static Stream<Arguments> clipped() {
    return Stream.of(
        Arguments.of("zb-2p", List.of(), "on"),
        Arguments.of("zb-v", List.of(), "on"),
        Arguments.of("1f1b", List.of(), "off"),
        Arguments.of("zb-2p", List.of("--post-validation", "off"), "off"),
        Arguments.of("1f1b", List.of("--post-validation", "on"), "on"));
  }

  @ParameterizedTest
  @MethodSource("clipped")
  void aClipThatTriggersMatchesTheReference(String schedule, List<String> more, String postValidation) {
    JsonObject ref = reference("--clip-norm", CLIP);
    String[] args = Stream.concat(Stream.of("--clip-norm", CLIP), more.stream()).toArray(String[]::new);

    JsonObject p = train(schedule, args);

    assertSameTraining(p, ref);
    assertThat(p.get("clippedSteps").getAsInt()).isEqualTo(3);
    assertThat(p.get("postValidation").getAsString()).isEqualTo(postValidation);
  }

  static Stream<Arguments> defaults() {
    return Stream.of(Arguments.of("zb-2p", "on", "exact"), Arguments.of("zb-h1", "on", "exact"),
        Arguments.of("1f1b", "off", "sync"), Arguments.of("gpipe", "off", "sync"));
  }

  @ParameterizedTest
  @MethodSource("defaults")
  void theDefaultCheckChangesNothingAndIsOnForZeroBubbleSchedules(String schedule, String postValidation,
      String mode) {
    JsonObject p = train(schedule);
    JsonObject ref = reference();

    assertSameTraining(p, ref);
    assertThat(p.get("postValidation").getAsString()).isEqualTo(postValidation);
    assertThat(p.get("rollbackMode").getAsString()).isEqualTo(mode);
    assertThat(List.of(p.get("rollbacks").getAsInt(), p.get("skippedSteps").getAsInt(),
        p.get("clippedSteps").getAsInt())).containsOnly(0);
  }

  @Test
  void inPlaceRollbackUndoesTheEagerStepsWithinRoundingOfTheReference() {
    JsonObject p = train("zb-2p", "--rollback", "in-place", "--inject-nan", "1:2");
    JsonObject ref = reference("--inject-nan", "1:2");

    assertThat(p.get("rollbackMode").getAsString()).isEqualTo("in-place");
    assertThat(p.get("rollbackBytes").getAsLong()).isZero();
    assertThat(p.get("rollbacks").getAsInt()).as("stages 0 and 1 stepped eagerly").isPositive();
    assertThat(p.get("skippedSteps").getAsInt()).isEqualTo(1);
    JsonArray l = p.getAsJsonArray("losses");
    JsonArray r = ref.getAsJsonArray("losses");
    for (int k = 0; k < 3; k++) {
      double expected = r.get(k).getAsDouble();
      assertThat(l.get(k).getAsDouble()).isCloseTo(expected, within(1e-5 * Math.abs(expected)));
    }
  }

  @Test
  void theTextSummaryHasOneLineWithTheCounters() {
    Cli c = Cli.run("train", "--schedule", "zb-2p", "--model", "tiny", "--stages", "2", "--microbatches", "2",
        "--iterations", "2", "--inject-nan", "0:0");

    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(c.out()).containsPattern("(?m)^optimizer check: post-validation on \\(rollback exact, up to \\d+ "
        + "bytes kept per stage\\); rollbacks \\d+, skipped steps 1, clipped steps 0$");
  }
}
