package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

/** What {@code zbpp train} outputs say they are (issue 19): the costs the prediction used, planned and measured memory. */
class TrainOutputsTest {
  @Test
  void jsonHasTheCostsThePredictionUsedAndPlannedAndMeasuredPeakMemoryPerStage() {
    Cli c = Cli.run("train", "--schedule", "zb-h1", "--model", "tiny", "--stages", "2", "--microbatches", "4",
        "--iterations", "2", "--json");

    assertThat(c.exit()).as(c.err()).isZero();
    JsonObject o = c.json();
    JsonObject costs = o.getAsJsonObject("costs");
    assertThat(costs.getAsJsonArray("f")).hasSize(2);
    assertThat(costs.getAsJsonArray("f").get(0).getAsDouble()).isPositive();
    assertThat(costs.keySet()).contains("b", "w", "comm", "memF", "memB", "memW");
    JsonArray planned = o.getAsJsonArray("plannedPeakMemory");
    JsonArray measured = o.getAsJsonArray("measuredPeakBytes");
    assertThat(planned).hasSize(2);
    assertThat(measured).hasSize(2);
    // ZB-H1 holds p microbatches on stage 0 like 1F1B: p·ΔM(F) of stage 0
    assertThat(planned.get(0).getAsDouble()).isEqualTo(2 * costs.getAsJsonArray("memF").get(0).getAsDouble());
    assertThat(measured.get(0).getAsLong()).isPositive();
    assertThat(o.get("steadyIterations").getAsInt()).isEqualTo(1);
    assertThat(o.get("cores").getAsInt()).isPositive();
    assertThat(o.get("coreWaitShare").getAsDouble()).isBetween(0.0, 1.0);
    assertThat(o.getAsJsonObject("nullReasons").keySet()).isEmpty();
  }

  @Test
  void referenceRunSaysWhyItHasNoPlannedFigures() {
    Cli c = Cli.run("train", "--schedule", "reference", "--model", "tiny", "--stages", "2", "--microbatches", "2",
        "--iterations", "1", "--json");

    assertThat(c.exit()).as(c.err()).isZero();
    JsonObject o = c.json();
    assertThat(o.get("costs").isJsonNull()).isTrue();
    assertThat(o.getAsJsonObject("nullReasons").get("predictedBubbleRate").getAsString())
        .contains("reference trainer");
  }

  @Test
  void aOneIterationRunIsNotLabelledAsTheMeanOfLaterIterations() {
    Cli c = Cli.run("train", "--schedule", "1f1b", "--model", "tiny", "--stages", "2", "--microbatches", "2",
        "--iterations", "1");

    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(c.out()).doesNotContain("after the first").contains("the only iteration, JIT warm-up included");
  }

  @Test
  void saysInOneLineWhenStagesOutnumberCores() {
    assertThat(TrainRunner.coresLine(4, 2, false)).isEqualTo("note: 4 stages share 2 cores, so part of the "
        + "realized bubble is stages waiting for a core, not the schedule" + System.lineSeparator());
    assertThat(TrainRunner.coresLine(2, 2, false)).isEmpty();
    assertThat(TrainRunner.coresLine(8, 2, true)).isEmpty();
  }

  @Test
  void timelinePageShowsPlannedAboveRealizedWithTheScheduleSvgsLegendTicksAndColours(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path html = dir.resolve("t.html");
    Cli c = Cli.run("train", "--schedule", "zb-2p", "--model", "tiny", "--stages", "4", "--microbatches", "8",
        "--iterations", "2", "--timeline", html.toString());

    assertThat(c.exit()).as(c.err()).isZero();
    String page = java.nio.file.Files.readString(html);
    TimelinePage.assertReadable(page, 4);
    assertThat(page).contains("planned peak memory", "measured peak bytes held");
  }

  @Test
  void lossesKeepEveryDigitSoThatTheyCompareBitForBit() {
    double loss = 5.542352121323347;
    assertThat(Json.write(Json.exact(java.util.List.of(loss, Double.NaN)))).isEqualTo("[5.542352121323347,null]");
    assertThat(Json.write(java.util.List.of(loss))).isEqualTo("[5.54235212132335]");
  }

  @Test
  void jsonNumbersCarryNoBinaryNoise() {
    assertThat(Json.write(java.util.List.of(1152.5990000000015, 0.1 + 0.2, 33.0, Double.NaN, 1e-9, 2.5e20)))
        .isEqualTo("[1152.599,0.3,33,null,1E-9,2.5E+20]");
  }
}
