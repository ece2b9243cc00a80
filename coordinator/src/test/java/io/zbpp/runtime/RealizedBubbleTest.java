package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.zbpp.protocol.msg.PassRecord;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.StageTrace;
import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.Timeline;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RealizedBubbleTest {
  private static PassRecord pass(long start, long end) {
    return new PassRecord(ProgramOp.F, 0, 0, start, end);
  }

  @Test
  void usesTheLongestSpanAndTheBusiestStage() {
    // stage 0: span 30, busy 20; stage 1 (a clock 1000 ns apart: only differences within a stage count):
    // span 40, busy 25 → cost 40, work 25
    List<StageTrace> traces = List.of(
        new StageTrace(0, List.of(pass(0, 10), pass(20, 30)), 0),
        new StageTrace(1, List.of(pass(1005, 1015), pass(1030, 1045)), 0));

    assertThat(RealizedBubble.rate(traces)).isEqualTo((40.0 - 25.0) / 40.0);
  }

  @Test
  void isZeroWithoutPasses() {
    assertThat(RealizedBubble.rate(List.of(new StageTrace(0, List.of(), 0)))).isZero();
  }

  /** Two ticks per time unit: zb-v's chunk passes take T/2, so integral costs give half-unit times. */
  private static long ticks(double time) {
    return Math.round(2 * time);
  }

  @ParameterizedTest
  @CsvSource({"4, 8, 3, 3, 2", "8, 24, 18522, 18086, 9337", "3, 2, 1, 1, 1"})
  void equalsTheSimulatorsBubbleRateOnItsOwnTimeline(int p, int m, long tf, long tb, long tw) {
    CostModel costs = CostModel.uniform(p, tf, tb, tw, 0);
    for (String name : Schedules.names()) {
      Plan plan = Schedules.byName(name).plan(Shape.of(p, m), costs);
      Timeline t = Simulator.simulate(plan, costs);
      List<StageTrace> traces = new ArrayList<>();
      for (int s = 0; s < p; s++) {
        List<PassRecord> passes = new ArrayList<>();
        List<Instruction> ops = plan.stage(s);
        for (int k = 0; k < ops.size(); k++) {
          passes.add(new PassRecord(ProgramOp.valueOf(ops.get(k).op().name()), ops.get(k).microbatch(),
              ops.get(k).chunk(), ticks(t.start(s, k)), ticks(t.end(s, k))));
        }
        traces.add(new StageTrace(s, passes, 0));
      }
      assertThat(RealizedBubble.rate(traces)).as(name).isCloseTo(t.bubbleRate(), offset(1e-12));
    }
  }
}
