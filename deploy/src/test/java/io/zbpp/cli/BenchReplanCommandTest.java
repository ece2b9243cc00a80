package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

/** {@code zbpp bench replan}, shortened: both modes side by side, the gains, and what it rejects. */
class BenchReplanCommandTest {
  @Test
  void comparesTheStaticPlanWithReplanningAsJson() {
    Cli c = Cli.run("bench", "replan", "--time-scale", "0.01", "--iterations", "12", "--repeat", "1", "--json");

    assertThat(c.exit()).as(c.err()).isZero();
    JsonObject o = c.json();
    assertThat(o.get("setting").getAsString()).isEqualTo("1.5B p=8 m=24");
    assertThat(o.get("slowStage").getAsInt()).isEqualTo(3);
    assertThat(o.get("staticIterationMillis").getAsDouble()).isPositive();
    assertThat(o.get("replanIterationMillis").getAsDouble()).isPositive();
    assertThat(o.get("measuredGain").getAsDouble()).isCloseTo(o.get("staticIterationMillis").getAsDouble()
        / o.get("replanIterationMillis").getAsDouble() - 1, within(1e-9));
    // the simulator under the true costs, the setting's own figures: 1802.9 against 1694.1 (docs/replan.md)
    assertThat(o.get("idealGain").getAsDouble()).isCloseTo(0.064, within(0.002));
    // the swaps' own prediction: 0 without a swap, else at least the threshold
    double predicted = o.get("predictedGain").getAsDouble();
    assertThat(predicted == 0 || predicted >= 0.03 / 0.97 - 1e-9).as("predicted gain %s", predicted).isTrue();
    assertThat(o.getAsJsonArray("replans")).hasSize(1); // one list of swaps per re-planned run
  }

  @Test
  void badInputIsOneLine() {
    expectBad("--schedule [1f1b]: expected one of zb-1p, zb-2p, zb-auto", "--schedule", "1f1b");
    expectBad("--slow-stage [8]", "--slow-stage", "8");
    expectBad("--slow-factor [0.0]: expected a number > 0 and <= 1000", "--slow-factor", "0");
    expectBad("--replan-threshold [100.0]: expected a percentage >= 0 and < 100", "--replan-threshold", "100");
  }

  private static void expectBad(String prefix, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "bench";
    all[1] = "replan";
    System.arraycopy(args, 0, all, 2, args.length);
    Cli c = Cli.run(all);
    assertThat(c.exit()).as(c.err()).isEqualTo(2);
    assertThat(c.err()).startsWith(prefix);
    assertThat(c.err().strip().lines()).hasSize(1);
  }
}
