package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code zbpp train --replan}: the coordinator re-plans from measured costs and swaps the stage programs between
 * iterations (docs/replan.md). Emulated: the 1.5B profile's pass times, p = 8, m = 8, times x0.2 (an iteration
 * is about 140 ms); stage 3 truly 1.5x slower than told makes zb-auto's plan from the measured costs predicted
 * about 5-9 % faster.
 */
class ReplanTest {
  private static final String SLOW_F = "18.522,18.522,18.522,27.783,18.522,18.522,18.522,18.522";
  private static final String SLOW_B = "18.086,18.086,18.086,27.129,18.086,18.086,18.086,18.086";
  private static final String SLOW_W = "9.337,9.337,9.337,14.006,9.337,9.337,9.337,9.337";

  private static Cli emulated(int iterations, String... more) {
    return Cli.run(Stream.concat(Stream.of("train", "--schedule", "zb-auto", "--model", "1.5b", "--stages", "8",
        "--microbatches", "8", "--iterations", String.valueOf(iterations), "--backend", "emulated", "--cost-f",
        "18.522", "--cost-b", "18.086", "--cost-w", "9.337", "--cost-comm", "0.601", "--time-scale", "0.2",
        "--json"), Stream.of(more)).toArray(String[]::new));
  }

  private static List<JsonObject> replans(Cli c) {
    assertThat(c.exit()).as(c.err()).isZero();
    return c.json().getAsJsonArray("replans").asList().stream().map(JsonElement::getAsJsonObject).toList();
  }

  @Test
  void aStageTrulySlowerThanToldIsReplannedOnceOrTwiceWithoutFlapping() {
    List<JsonObject> swaps = replans(emulated(24, "--true-cost-f", SLOW_F, "--true-cost-b", SLOW_B,
        "--true-cost-w", SLOW_W));

    assertThat(swaps).hasSizeBetween(1, 2);
    JsonObject first = swaps.get(0);
    assertThat(first.get("newPredictedMs").getAsDouble())
        .isLessThanOrEqualTo(0.97 * first.get("oldPredictedMs").getAsDouble());
    assertThat(first.get("reason").getAsString()).contains("stage 3 1.");
    // the window (5) and a confirming look: not before iteration 1 + 5 + 1
    assertThat(first.get("iteration").getAsInt()).isGreaterThanOrEqualTo(7);
  }

  @Test
  void aSlowdownAtIterationTenIsFollowedByASwapWithinFiveIterations() {
    List<JsonObject> swaps = replans(emulated(20, "--slowdown", "3:1.5@10"));

    assertThat(swaps).anySatisfy(s -> assertThat(s.get("iteration").getAsInt()).isBetween(11, 15));
  }

  @Test
  void offNeverSwapsAndOnceDecidesOnItsFirstLook() {
    assertThat(replans(emulated(16, "--replan", "off", "--true-cost-f", SLOW_F, "--true-cost-b", SLOW_B,
        "--true-cost-w", SLOW_W))).isEmpty();
    // once: the first look (equal stages) finds nothing to gain, so the slowdown after it is not followed
    assertThat(replans(emulated(20, "--replan", "once", "--slowdown", "3:1.5@10"))).isEmpty();
  }

  @Test
  void onTheCpuBackendASwapKeepsLossesAndDigestOfTheReference() {
    // tiny: 8 layers on 3 stages (3, 3, 2); the planner is told stage 0 is 5x slower, which it is not
    String[] tiny = {"--model", "tiny", "--stages", "3", "--microbatches", "6", "--iterations", "12", "--seed", "3",
        "--json"};
    Cli ref = Cli.run(Stream.concat(Stream.of("train", "--schedule", "reference"), Stream.of(tiny))
        .toArray(String[]::new));
    Cli zb = Cli.run(Stream.concat(Stream.of("train", "--schedule", "zb-auto", "--cost-f", "5,1,1", "--cost-b",
        "5,1,1", "--cost-w", "2.5,0.5,0.5", "--replan", "continuous", "--replan-threshold", "0.001"),
        Stream.of(tiny)).toArray(String[]::new));

    assertThat(ref.exit()).as(ref.err()).isZero();
    assertThat(replans(zb)).isNotEmpty();
    assertThat(zb.json().get("losses")).isEqualTo(ref.json().get("losses"));
    assertThat(zb.json().get("paramsSha256")).isEqualTo(ref.json().get("paramsSha256"));
  }

  @Test
  void badReplanOptionsAreOneLine() {
    expectBad("--replan [sometimes]: unknown; expected off, once or continuous", "zb-auto", "--replan",
        "sometimes");
    expectBad("--replan [once]: re-planning needs one of the automatic schedules zb-1p, zb-2p, zb-auto; schedule "
        + "is 1f1b", "1f1b", "--replan", "once");
    expectBad("--replan-threshold [100.0]: expected a percentage >= 0 and < 100", "zb-2p", "--replan-threshold",
        "100");
  }

  @Test
  void theTextOutputHasALinePerSwap() {
    assertThat(TrainRunner.replanLines(List.of(new io.zbpp.protocol.msg.Replan(12, 200, 190, "why"))))
        .isEqualTo("re-planned from iteration 12: predicted 200.00 -> 190.00 ms per iteration (5.0% faster); why\n");
  }

  private static void expectBad(String message, String schedule, String... more) {
    Cli c = Cli.run(Stream.concat(Stream.of("train", "--schedule", schedule, "--model", "tiny", "--stages", "2",
        "--microbatches", "2", "--iterations", "1"), Stream.of(more)).toArray(String[]::new));
    assertThat(c.exit()).as(c.err()).isEqualTo(2);
    assertThat(c.err().strip()).isEqualTo(message);
  }
}
