package io.zbpp.schedule.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Placement;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.Timeline;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AsciiGridTest {
  static Timeline oneFOneB(int p, int m, double tf, double tb, double tw, double comm) {
    CostModel costs = CostModel.uniform(p, tf, tb, tw, comm);
    return Simulator.simulate(Schedules.byName("1f1b").plan(Shape.of(p, m), costs), costs);
  }

  @Test
  void rendersSmallOneFOneBAsGoldenTokenGrid() {
    assertThat(AsciiGrid.render(oneFOneB(3, 4, 1, 1, 1, 0))).isEqualTo("""
        1f1b  p=3 m=4 v=1  cost=18 bubble=33.33%  (one cell = 1 time unit)
        0 | F0  F1  F2  .   .   .   .   BW0     F3  BW1     .   BW2     .   BW3
        1 | .   F0  F1  .   .   BW0     F2  BW1     F3  BW2     .   BW3
        2 | .   .   F0  BW0     F1  BW1     F2  BW2     F3  BW3
        """);
  }

  @Test
  void scalesTheCellToTheShortestPassAndShowsCommunicationGaps() {
    assertThat(AsciiGrid.render(oneFOneB(2, 2, 2, 2, 2, 2))).isEqualTo("""
        1f1b  p=2 m=2 v=1  cost=22 bubble=45.45%  (one cell = 2 time units)
        0 | F0  F1  .   .   .   .   BW0     .   BW1
        1 | .   .   F0  BW0     F1  BW1
        """);
  }

  @Test
  void printsChunkSuffixesInMultiChunkPlans() {
    Plan plan = new Plan("custom", 1, Placement.interleaved(1, 2), List.of(List.of(
        new Instruction(0, Op.F, 0, 0), new Instruction(0, Op.F, 0, 1), new Instruction(0, Op.B, 0, 1),
        new Instruction(0, Op.B, 0, 0), new Instruction(0, Op.W, 0, 1), new Instruction(0, Op.W, 0, 0))));
    Timeline t = Simulator.simulate(plan, CostModel.uniform(1, 2, 2, 2, 0));

    assertThat(AsciiGrid.render(t)).endsWith("0 | F0.0 F0.1 B0.1 B0.0 W0.1 W0.0\n");
  }

  @ParameterizedTest(name = "p={0} m={1} width {2}")
  @CsvSource({"16, 48, 200", "8, 24, 80", "32, 96, 120"})
  void switchesToScaledStripThatFitsTheWidthForBigPlans(int p, int m, int width) {
    String grid = AsciiGrid.render(oneFOneB(p, m, 1, 1, 1, 0), width);

    List<String> lines = grid.lines().toList();
    assertThat(lines.get(0)).contains("one column = ").contains("X = fused BW");
    assertThat(lines).hasSize(p + 1);
    assertThat(lines.subList(1, lines.size())).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(width));
    // Stage 0 waits for the first backward: its warm-up forwards, then idle, then fused backwards.
    assertThat(lines.get(1)).matches("0 +\\| F+\\.+X.*");
    // The last stage starts late: idle first.
    assertThat(lines.get(p)).matches(p - 1 + " +\\| \\.+[FX].*");
  }

  @Test
  void rejectsTooNarrowWidth() {
    assertThatThrownBy(() -> AsciiGrid.render(oneFOneB(2, 2, 1, 1, 1, 0), 10))
        .hasMessage("maxColumns [10]: must be at least 20");
  }
}
