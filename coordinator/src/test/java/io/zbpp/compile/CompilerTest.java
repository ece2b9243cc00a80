package io.zbpp.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.protocol.msg.ProgramInstruction;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.StageProgram;
import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.InvalidPlanException;
import io.zbpp.schedule.Placement;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.ScheduleShapes;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CompilerTest {
  private static final int[][] SHAPES = {{1, 1}, {1, 3}, {2, 1}, {2, 4}, {3, 2}, {4, 4}, {4, 9}, {5, 3}};

  /** Every schedule on every shape it must accept (ScheduleShapes lists and tests the rejected ones). */
  static Stream<Arguments> everyScheduleAndShape() {
    return ScheduleShapes.everyScheduleAnd(SHAPES);
  }

  @ParameterizedTest(name = "{0} p={1} m={2}")
  @MethodSource("everyScheduleAndShape")
  void everyRegisteredScheduleCompilesToProgramsThatPassTheMessageSimulation(String name, int p, int m) {
    Plan plan = ScheduleShapes.plan(name, p, m);
    Programs programs = Compiler.compile(plan, CostModel.uniform(p, 1, 1, 1, 0)).programs();

    assertKeepsComputeOrderAndAddsOneMessagePerCrossStageEdge(plan, programs);
  }

  static Stream<Arguments> handBuiltPlacements() {
    return Stream.of(Arguments.of(Placement.single(3), 2), Arguments.of(Placement.interleaved(2, 2), 3),
        Arguments.of(Placement.vShape(3), 2), Arguments.of(Placement.vShape(1), 2),
        Arguments.of(Placement.interleaved(3, 3), 1));
  }

  @ParameterizedTest
  @MethodSource("handBuiltPlacements")
  void splitBackwardPlansOnMultiChunkPlacementsCompile(Placement pl, int m) {
    Plan plan = TestPlans.gpipeSplit(pl, m);
    Programs programs = Compiler.compile(plan, CostModel.uniform(pl.stages(), 1, 1, 1, 0)).programs();

    assertKeepsComputeOrderAndAddsOneMessagePerCrossStageEdge(plan, programs);
  }

  private static void assertKeepsComputeOrderAndAddsOneMessagePerCrossStageEdge(Plan plan, Programs programs) {
    int edges = 0;
    for (int c = 0; c + 1 < plan.placement().chunks(); c++) {
      edges += plan.placement().stageOf(c) != plan.placement().stageOf(c + 1) ? 1 : 0;
    }
    int sends = 0;
    int recvs = 0;
    for (int s = 0; s < plan.stageCount(); s++) {
      StageProgram prog = programs.stage(s);
      List<String> compute = prog.instructions().stream().filter(i -> i.op().isCompute())
          .map(i -> i.microbatch() + "." + i.chunk() + i.op()).toList();
      assertThat(compute).isEqualTo(plan.stage(s).stream().map(i -> i.microbatch() + "." + i.chunk() + i.op())
          .toList());
      sends += count(prog, ProgramOp.SEND_F) + count(prog, ProgramOp.SEND_B);
      recvs += count(prog, ProgramOp.RECV_F) + count(prog, ProgramOp.RECV_B);
      assertThat(prog.get(prog.size() - 1).op()).isEqualTo(ProgramOp.STEP);
    }
    assertThat(sends).isEqualTo(recvs).isEqualTo(2 * plan.microbatches() * edges);
  }

  private static int count(StageProgram p, ProgramOp op) {
    return (int) p.instructions().stream().filter(i -> i.op() == op).count();
  }

  @Test
  void lowersOneFOneBWithCommunicationLossAndStep() {
    Plan plan = Schedules.byName("1f1b").plan(Shape.of(2, 2), CostModel.uniform(2, 1, 1, 1, 0));

    assertThat(Compiler.lower(plan).toString()).isEqualTo("""
        0: 0F0 0SEND_F0 0F1 0SEND_F1 0RECV_B0 0BW0 0RECV_B1 0BW1 0STEP
        1: 1RECV_F0 1F0 1LOSS0 1BW0 1SEND_B0 1RECV_F1 1F1 1LOSS1 1BW1 1SEND_B1 1STEP
        """);
  }

  @Test
  void keepsTheActivationLocalAtTheTurnOfTheV() {
    Plan plan = TestPlans.gpipeSplit(Placement.vShape(2), 1);

    assertThat(Compiler.lower(plan).toString()).isEqualTo("""
        0: 0F0 0SEND_F0 0RECV_F0.3 0F0.3 0LOSS0.3 0B0.3 0SEND_B0.3 0RECV_B0 0B0 0W0 0W0.3 0STEP 0STEP.3
        1: 1RECV_F0 1F0 1F0.2 1SEND_F0.2 1RECV_B0.2 1B0.2 1B0 1SEND_B0 1W0 1W0.2 1STEP 1STEP.2
        """);
  }

  @Test
  void rejectsAReceiveWithoutItsSend() {
    Programs ok = Compiler.lower(Schedules.byName("1f1b").plan(Shape.of(2, 1), CostModel.uniform(2, 1, 1, 1, 0)));
    Programs broken = ok.map(p -> p.instructions().stream().filter(i -> i.op() != ProgramOp.SEND_F).toList());

    assertThatThrownBy(() -> MessageSimulation.check(broken)).isInstanceOf(InvalidPlanException.class)
        .hasMessageContaining("1RECV_F0: RECV without a matching SEND (act c1 j0 @1)")
        .hasMessageContaining(">>1RECV_F0<<");
  }

  @Test
  void reportsADeadlockWithTheStuckOpsMarked() {
    Programs programs = new Programs("custom", 1, Placement.single(2), List.of(
        StageProgram.parse("0: 0RECV_B0 0F0 0SEND_F0 0BW0 0STEP"),
        StageProgram.parse("1: 1RECV_F0 1F0 1LOSS0 1BW0 1SEND_B0 1STEP")));

    assertThatThrownBy(() -> MessageSimulation.check(programs)).isInstanceOf(InvalidPlanException.class)
        .hasMessageContaining("deadlock: stage 0 waits at 0RECV_B0 (op 0); stage 1 waits at 1RECV_F0 (op 0)")
        .hasMessageContaining("0: >>0RECV_B0<< 0F0");
  }

  @Test
  void rejectsAStepBeforeTheLastWeightGradient() {
    Programs programs = new Programs("custom", 1, Placement.single(1), List.of(
        StageProgram.parse("0: 0F0 0LOSS0 0B0 0STEP 0W0")));

    assertThatThrownBy(() -> MessageSimulation.check(programs)).hasMessageContaining("stage 0 waits at 0STEP");
  }

  @Test
  void passesAreListedInOrderAndArePure() {
    Plan plan = Schedules.byName("1f1b").plan(Shape.of(3, 2), CostModel.uniform(3, 1, 1, 1, 0));
    Programs in = Programs.of(plan);
    String before = in.toString();
    for (LoweringPass pass : Compiler.PASSES) {
      assertThat(pass.apply(in)).isEqualTo(pass.apply(in));
      assertThat(in.toString()).isEqualTo(before);
    }
    assertThat(Compiler.PASSES).extracting(LoweringPass::name).containsExactly("insert-activation-comm",
        "insert-gradient-comm", "insert-loss", "insert-optimizer-step");
    assertThat(ProgramInstruction.parse("0STEP")).isEqualTo(ProgramInstruction.step(0, 0));
    assertThat(Instruction.parse("0F0").op().isBackward()).isFalse();
  }
}
