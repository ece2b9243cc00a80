package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.PlanText;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.Timeline;
import io.zbpp.schedule.Validator;
import io.zbpp.schedule.paper.PaperSetting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ScheduleCommandTest {
  static final String[] BASE = {"schedule", "--schedule", "1f1b", "--stages", "4", "--microbatches", "8"};

  static String[] base(String... more) {
    return Stream.concat(Stream.of(BASE), Stream.of(more)).toArray(String[]::new);
  }

  static List<Double> doubles(JsonArray a) {
    List<Double> l = new ArrayList<>();
    a.forEach(e -> l.add(e.getAsDouble()));
    return l;
  }

  @Test
  void printsOneJsonObjectWithTheSimulatedFigures() {
    Cli r = Cli.run(base("--json"));

    assertThat(r.exit()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out().lines()).hasSize(1);
    JsonObject j = r.json();
    assertThat(j.get("schedule").getAsString()).isEqualTo("1f1b");
    assertThat(j.get("stages").getAsInt()).isEqualTo(4);
    assertThat(j.get("microbatches").getAsInt()).isEqualTo(8);
    assertThat(j.get("chunks").getAsInt()).isEqualTo(1);
    // 1F1B, equal unit costs, no comm: cost (m + p - 1)(T_F+T_B+T_W) = 33, bubble (p-1)*3/33.
    assertThat(j.get("cost").getAsDouble()).isEqualTo(33);
    assertThat(j.get("makespan").getAsDouble()).isEqualTo(33);
    assertThat(j.get("bubbleRate").getAsDouble()).isCloseTo(9.0 / 33, within(1e-12));
    assertThat(doubles(j.getAsJsonArray("peakMemory"))).containsExactly(4.0, 3.0, 2.0, 1.0);
    assertThat(j.get("valid").getAsBoolean()).isTrue();
    assertThat(j.get("memLimit").isJsonNull()).isTrue();
    assertThat(j.getAsJsonArray("problems")).isEmpty();
  }

  @Test
  void usesPerStageCostsAndCommunicationLikeTheSimulator() {
    Cli r = Cli.run(base("--json", "--cost-f", "1,2,1,1.5", "--cost-b", "2", "--cost-w", "0.5,0.5,1,1",
        "--cost-comm", "0.25"));

    CostModel costs = CostModel.builder(4).tf(1, 2, 1, 1.5).tb(2).tw(0.5, 0.5, 1, 1).comm(0.25).build();
    Timeline expected = Simulator.simulate(Schedules.byName("1f1b").plan(Shape.of(4, 8), costs), costs);
    JsonObject j = r.json();
    assertThat(r.exit()).isZero();
    assertThat(j.get("cost").getAsDouble()).isEqualTo(expected.cost());
    assertThat(j.get("bubbleRate").getAsDouble()).isCloseTo(expected.bubbleRate(), within(1e-13)); // JSON keeps 15 significant digits
    assertThat(doubles(j.getAsJsonObject("costs").getAsJsonArray("f"))).containsExactly(1.0, 2.0, 1.0, 1.5);
    assertThat(j.getAsJsonObject("costs").get("comm").getAsDouble()).isEqualTo(0.25);
  }

  @Test
  void writesAPlanFileThatParsesBackAndValidates(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("1f1b.plan");

    Cli r = Cli.run(base("--plan-out", file.toString()));

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("plan written to " + file);
    Plan plan = PlanText.parse(Files.readString(file));
    assertThat(plan.schedule()).isEqualTo("1f1b");
    assertThat(plan.stages()).isEqualTo(
        Schedules.byName("1f1b").plan(Shape.of(4, 8), CostModel.uniform(4, 1, 1, 1, 0)).stages());
    assertThat(Validator.validate(plan, CostModel.uniform(4, 1, 1, 1, 0)).ok()).isTrue();
    assertThat(Files.readString(file).lines().toList()).contains(
        "3: F0 BW0 F1 BW1 F2 BW2 F3 BW3 F4 BW4 F5 BW5 F6 BW6 F7 BW7");
  }

  @Test
  void writesAWellFormedSvgWithOneRectPerPass(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("t.svg");

    Cli r = Cli.run(base("--svg", file.toString(), "--json"));

    assertThat(r.exit()).isZero();
    assertThat(r.json().get("svg").getAsString()).isEqualTo(file.toString());
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    Document doc = f.newDocumentBuilder().parse(file.toFile());
    NodeList rects = doc.getElementsByTagName("rect");
    int passes = 0;
    for (int i = 0; i < rects.getLength(); i++) {
      passes += ((Element) rects.item(i)).getAttribute("class").startsWith("pass ") ? 1 : 0;
    }
    assertThat(passes).isEqualTo(64);
  }

  @Test
  void drawsTheGridAfterTheSummary() {
    Cli r = Cli.run(base("--grid"));

    assertThat(r.exit()).isZero();
    assertThat(r.out().lines().findFirst().orElseThrow())
        .matches("1f1b  p=4 m=8 v=1  64 passes  valid  \\(planned in [0-9.]+ ms\\)");
    assertThat(r.out()).contains("cost 33  makespan 33  bubble rate 27.27%\n",
        "peak memory per stage: 4, 3, 2, 1  (limit: none)\n",
        "3 | .   .   .   F0  BW0     F1  BW1     F2  BW2     F3  BW3     F4  BW4     F5  BW5     F6  BW6     F7  BW7\n");
  }

  @Test
  void putsTheGridInTheJsonWhenAskedForBoth() {
    JsonObject j = Cli.run(base("--grid", "--json")).json();

    assertThat(j.get("grid").getAsString()).contains("0 | F0  F1  F2  F3  .");
  }

  @Test
  void takesMemoryDeltasFromTheModelPresetUnlessGiven() {
    PaperSetting paper = PaperSetting.all().get(0);
    JsonObject preset = Cli.run(base("--json", "--model", "1.5b")).json();
    JsonObject overridden = Cli.run(base("--json", "--model", "1.5B", "--mem-w", "-5")).json();

    double memF = 34.0 * 2304 + 5.0 * 24 * 1024;
    assertThat(paper.memF()).isEqualTo(memF);
    assertThat(doubles(preset.getAsJsonObject("costs").getAsJsonArray("memF"))).containsOnly(memF);
    assertThat(doubles(preset.getAsJsonObject("costs").getAsJsonArray("memW"))).containsOnly(-32.0 * 2304);
    assertThat(doubles(preset.getAsJsonObject("costs").getAsJsonArray("memB")))
        .containsOnly(-(memF - 32.0 * 2304));
    // 1F1B holds p - s microbatches' activations on stage s at its peak.
    assertThat(doubles(preset.getAsJsonArray("peakMemory"))).containsExactly(4 * memF, 3 * memF, 2 * memF, memF);
    assertThat(doubles(overridden.getAsJsonObject("costs").getAsJsonArray("memW"))).containsOnly(-5.0);
    assertThat(doubles(overridden.getAsJsonObject("costs").getAsJsonArray("memF"))).containsOnly(memF);
  }

  @Test
  void reportsAPlanOverTheMemoryLimitAsInvalidWithExitCodeOne() {
    Cli fits = Cli.run(base("--json", "--mem-limit-factor", "1"));
    Cli over = Cli.run(base("--json", "--mem-limit", "3"));

    assertThat(fits.exit()).isZero();
    assertThat(fits.json().get("memLimit").getAsDouble()).isEqualTo(4);
    assertThat(fits.json().get("valid").getAsBoolean()).isTrue();
    assertThat(over.exit()).isEqualTo(1);
    assertThat(over.json().get("valid").getAsBoolean()).isFalse();
    assertThat(over.json().getAsJsonArray("problems").get(0).getAsString())
        .isEqualTo("stage 0: peak memory 4.0 exceeds the limit 3.0");
  }

  @Test
  void listsProblemsInTheSummaryOfAnInvalidPlan() {
    Cli r = Cli.run(base("--mem-limit", "3"));

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("INVALID").contains("problem: stage 0: peak memory 4.0 exceeds the limit 3.0\n");
  }
}
