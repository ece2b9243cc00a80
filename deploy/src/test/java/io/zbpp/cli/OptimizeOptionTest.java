package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.PlanText;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.Validator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptimizeOptionTest {
  @Test
  void addsTheBoundAndWritesTheOptimizedPlan(@TempDir Path dir) throws Exception {
    Path planFile = dir.resolve("opt.plan");
    // 1F1B with no limit given: optimized under 1F1B's own peak (p·ΔM(F) = 3), where ZB-H1-like orders beat it.
    Cli r = Cli.run("schedule", "--schedule", "1f1b", "--stages", "3", "--microbatches", "4", "--optimize",
        "--time-limit", "10", "--json", "--plan-out", planFile.toString());

    assertThat(r.exit()).isZero();
    JsonObject j = r.json();
    double cost = j.get("cost").getAsDouble();
    double warm = j.get("warmStartCost").getAsDouble();
    double bound = j.get("lowerBound").getAsDouble();
    assertThat(warm).isEqualTo(18); // (m + p - 1)(T_F + T_B + T_W) with unit costs
    assertThat(cost).isLessThan(warm);
    assertThat(bound).isLessThanOrEqualTo(cost);
    assertThat(j.get("optimal").getAsBoolean()).isEqualTo(bound == cost);
    assertThat(j.get("gap").getAsDouble()).isEqualTo(j.get("optimal").getAsBoolean() ? 0.0 : (cost - bound) / cost);
    assertThat(j.has("solveSeconds")).isTrue();

    Plan written = PlanText.parse(Files.readString(planFile));
    CostModel costs = CostModel.uniform(3, 1, 1, 1, 0);
    assertThat(Validator.validate(written, costs).ok()).isTrue();
    assertThat(Simulator.simulate(written, costs).cost()).isEqualTo(cost);
  }

  @ParameterizedTest
  @CsvSource({"zb-v", "1f1b-i"})
  void optimizesTwoChunkSchedulesAndWritesChunkTokens(String schedule, @TempDir Path dir) throws Exception {
    Path planFile = dir.resolve("opt.plan");
    // Uneven stages leave bubbles that the V and interleaved templates do not fill.
    Cli r = Cli.run("schedule", "--schedule", schedule, "--stages", "3", "--microbatches", "4", "--cost-f",
        "1,2,1", "--cost-b", "1,2,1.5", "--cost-w", "1,1,0.5", "--optimize", "--time-limit", "10", "--json",
        "--plan-out", planFile.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    JsonObject j = r.json();
    double cost = j.get("cost").getAsDouble();
    assertThat(cost).isLessThanOrEqualTo(j.get("warmStartCost").getAsDouble());
    assertThat(j.get("lowerBound").getAsDouble()).isLessThanOrEqualTo(cost);
    Plan written = PlanText.parse(Files.readString(planFile));
    assertThat(written.placement().chunksPerStage()).isEqualTo(2);
    assertThat(Files.readString(planFile)).contains("F0.5"); // chunk 5: stage 0 holds it in V, stage 2 in 1f1b-i
    CostModel costs = CostModel.builder(3).tf(1, 2, 1).tb(1, 2, 1.5).tw(1, 1, 0.5)
        .memLimit(j.get("memLimit").getAsDouble()).build();
    assertThat(Validator.validate(written, costs).orThrow().cost()).isEqualTo(cost);
  }

  @Test
  void provesZbH1OptimalUnderOneFOneBsMemory() {
    Cli r = Cli.run("schedule", "--schedule", "zb-1p", "--stages", "4", "--microbatches", "8", "--optimize",
        "--time-limit", "10");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("optimizer: optimal  cost 27 (warm start 27)  lower bound 27  gap 0.000%");
    assertThat(r.err()).startsWith("optimizing zb-1p p=4 m=8 under memory 4 (time limit 10 s)...");
  }

  @Test
  void neverNeedsMoreMemoryThanTheScheduleItImproves() {
    Cli r = Cli.run("schedule", "--schedule", "zb-h1", "--stages", "4", "--microbatches", "8", "--optimize",
        "--time-limit", "5", "--json");

    assertThat(r.exit()).isZero();
    JsonObject j = r.json();
    assertThat(j.get("memLimit").getAsDouble()).isEqualTo(4); // ZB-H1's peak, p·ΔM(F)
    assertThat(ScheduleCommandTest.doubles(j.getAsJsonArray("peakMemory"))).allSatisfy(
        peak -> assertThat(peak).isLessThanOrEqualTo(4.0));
    assertThat(j.get("valid").getAsBoolean()).isTrue();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--schedule zb-h1 --stages 2 --microbatches 4 --time-limit 3|--time-limit [3]: only with --optimize",
      "--schedule zb-h1 --stages 2 --microbatches 4 --optimize --time-limit 0"
          + "|--time-limit [0]: must be a number of seconds > 0 and <= 86400",
      "--schedule zb-h1 --stages 2 --microbatches 4 --optimize --time-limit -2"
          + "|--time-limit [-2]: must be a number of seconds > 0 and <= 86400"})
  void rejectsBadOptimizerInputWithOneLine(String args, String message) {
    Cli r = Cli.run(("schedule " + args).split(" "));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().lines()).containsExactly(message);
    assertThat(r.out()).isEmpty();
  }
}
