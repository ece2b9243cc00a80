package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchPaperCommandTest {
  @Test
  void reportsTwelveSettingsWithOurBubbleRateBesideThePublishedOne() {
    Cli r = Cli.run("bench", "paper", "--json", "--schedules", "1f1b");

    assertThat(r.exit()).isZero();
    List<JsonObject> rows = r.json().getAsJsonArray("rows").asList().stream()
        .map(JsonElement::getAsJsonObject).toList();
    assertThat(rows).hasSize(12);
    assertThat(rows).allSatisfy(row -> {
      assertThat(row.get("schedule").getAsString()).isEqualTo("1f1b");
      assertThat(row.get("valid").getAsBoolean()).isTrue();
      assertThat(row.get("planMillis").getAsDouble()).isNotNegative();
      // 1F1B holds p microbatches' activations on stage 0.
      assertThat(row.get("peakInUnitsOfMemF").getAsDouble()).isEqualTo(row.get("stages").getAsDouble());
      assertThat(row.get("peakInMB")).isEqualTo(row.get("peakInUnitsOfMemF"));
    });
    List<JsonObject> published = rows.stream().filter(row -> !row.get("published").isJsonNull()).toList();
    assertThat(published).hasSize(4);
    assertThat(published).allSatisfy(row -> assertThat(row.get("bubbleRate").getAsDouble())
        .isCloseTo(row.get("published").getAsDouble(), within(1e-4)));
  }

  @Test
  void everyRowCarriesItsCostModelAndTheScheduleCommandThatReproducesIt() {
    Cli r = Cli.run("bench", "paper", "--json", "--schedules", "zb-2p,zb-h1");

    List<JsonObject> rows = r.json().getAsJsonArray("rows").asList().stream()
        .map(JsonElement::getAsJsonObject).toList();
    for (JsonObject row : List.of(rows.get(0), rows.get(3), rows.get(rows.size() - 1))) {
      assertThat(row.getAsJsonObject("costs").keySet()).contains("f", "b", "w", "comm", "memF", "memB", "memW");
      String command = row.get("command").getAsString();
      Cli again = Cli.run((command.substring("zbpp ".length()) + " --json").split(" "));
      assertThat(again.exit()).as(command + "\n" + again.err()).isZero();
      assertThat(again.json().get("bubbleRate")).as(command).isEqualTo(row.get("bubbleRate"));
      assertThat(again.json().get("costs")).isEqualTo(row.get("costs"));
    }
  }

  @Test
  void printsATableWithOneLinePerSettingAndSchedule() {
    Cli r = Cli.run("bench", "paper", "--schedules", "1f1b");

    List<String> lines = r.out().lines().toList();
    assertThat(r.exit()).isZero();
    assertThat(lines).hasSize(13);
    assertThat(lines.get(0)).startsWith("setting").contains("bubble", "published", "plan ms");
    assertThat(lines.get(1)).startsWith("1.5B p=8 m=24     1f1b      1   0.2431    0.2431  +0.0000      8.00");
    assertThat(lines.get(2)).contains("   -   ");
  }

  @Test
  void optimizesZb1pZb2pAndZbVWithABoundNeverAboveTheOptimizedPlan() {
    Cli r = Cli.run("bench", "paper", "--json", "--schedules", "zb-1p,zb-2p,zb-v", "--optimize", "--time-limit",
        "0.2");

    assertThat(r.exit()).isZero();
    List<JsonObject> rows = r.json().getAsJsonArray("optimized").asList().stream()
        .map(JsonElement::getAsJsonObject).toList();
    assertThat(rows).hasSize(36); // zb-v optimized on its own V placement, under its own peak memory
    assertThat(rows).allSatisfy(row -> {
      assertThat(row.get("schedule").getAsString()).isIn("zb-1p", "zb-2p", "zb-v");
      double heuristic = row.get("heuristicBubbleRate").getAsDouble();
      double optimized = row.get("optimizedBubbleRate").getAsDouble();
      assertThat(optimized).isLessThanOrEqualTo(heuristic + 1e-12);
      assertThat(row.get("lowerBoundBubbleRate").getAsDouble()).isLessThanOrEqualTo(optimized + 1e-12);
    });
    // Under p·M_B the closed-form bound meets ZB-H1's cost: every ZB-1p row is proven optimal at once.
    assertThat(rows.stream().filter(row -> row.get("schedule").getAsString().equals("zb-1p")))
        .hasSize(12).allSatisfy(row -> assertThat(row.get("status").getAsString()).isEqualTo("optimal"));
  }
}
