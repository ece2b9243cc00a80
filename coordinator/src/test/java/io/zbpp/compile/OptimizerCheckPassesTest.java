package io.zbpp.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.protocol.msg.OptimizerOptions.Check;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.StageProgram;
import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.InvalidPlanException;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.ScheduleShapes;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The lowering of the optimizer check (docs/post-validation.md): golden programs and every schedule. */
class OptimizerCheckPassesTest {
  private static Programs lower(String schedule, int p, int m, int v, Check check) {
    Plan plan = Schedules.byName(schedule).plan(new Shape(p, m, v), CostModel.uniform(p, 1, 1, 1, 0));
    return Compiler.lower(plan, check);
  }

  @Test
  void theSynchronousBaselineReducesThenWaitsForTheFullStateBeforeStepping() {
    assertThat(lower("1f1b", 2, 2, 1, Check.SYNC).toString()).isEqualTo("""
        0: 0F0 0SEND_F0 0F1 0SEND_F1 0RECV_B0 0BW0 0RECV_B1 0BW1 0NORM 0SEND_PARTIAL 0RECV_FULL 0STEP
        1: 1RECV_F0 1F0 1LOSS0 1BW0 1SEND_B0 1RECV_F1 1F1 1LOSS1 1BW1 1SEND_B1 1NORM 1RECV_PARTIAL 1SEND_FULL 1STEP
        """);
  }

  @Test
  void postValidationStepsEagerlyAndValidatesBeforeTheNextIterationsFirstBackward() {
    assertThat(lower("1f1b", 2, 2, 1, Check.POST_VALIDATION).toString()).isEqualTo(
        "0: 0F0 0SEND_F0 0F1 0SEND_F1 0RECV_B0 0RECV_FULL 0VALIDATE 0BW0 0RECV_B1 0BW1 0NORM 0SEND_PARTIAL 0STEP\n"
        + "1: 1RECV_F0 1F0 1LOSS0 1VALIDATE 1BW0 1SEND_B0 1RECV_F1 1F1 1LOSS1 1BW1 1SEND_B1 1NORM 1RECV_PARTIAL "
        + "1SEND_FULL 1STEP\n");
  }

  static Stream<Arguments> everyScheduleAndCheck() {
    List<Arguments> out = new ArrayList<>();
    for (String name : Schedules.names()) {
      for (Check c : Check.values()) {
        for (int[] pm : new int[][] {{1, 2}, {3, 2}, {4, 8}}) {
          out.add(Arguments.of(name, c, pm[0], pm[1]));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} p={2} m={3}")
  @MethodSource("everyScheduleAndCheck")
  void everyScheduleLowersToProgramsThatPassTheMessageSimulation(String schedule, Check check, int p, int m) {
    int v = ScheduleShapes.chunksPerStage(schedule);
    Programs progs = lower(schedule, p, m, v, check);
    long norms = progs.stages().stream().flatMap(s -> s.instructions().stream())
        .filter(i -> i.op() == ProgramOp.NORM).count();
    long validates = progs.stages().stream().flatMap(s -> s.instructions().stream())
        .filter(i -> i.op() == ProgramOp.VALIDATE).count();
    assertThat(norms).isEqualTo(check == Check.NONE ? 0 : (long) p * v);
    assertThat(validates).isEqualTo(check == Check.POST_VALIDATION ? (long) p * v : 0);
  }

  @Test
  void aStepBeforeTheNormIsCaughtByTheSimulation() {
    Programs ok = lower("1f1b", 2, 1, 1, Check.SYNC);
    Programs bad = new Programs(ok.schedule(), 1, ok.placement(), List.of(ok.stage(0),
        StageProgram.parse("1: 1RECV_F0 1F0 1LOSS0 1BW0 1SEND_B0 1STEP 1NORM 1RECV_PARTIAL 1SEND_FULL")));

    assertThatThrownBy(() -> MessageSimulation.check(bad)).isInstanceOf(InvalidPlanException.class)
        .hasMessageContaining("deadlock").hasMessageContaining(">>1STEP<<");
  }
}
