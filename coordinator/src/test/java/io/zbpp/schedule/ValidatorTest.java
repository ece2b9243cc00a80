package io.zbpp.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValidatorTest {
  private static Validator.Validation validate(String planText, int stages) {
    return Validator.validate(PlanText.parse(planText), CostModel.uniform(stages, 1, 1, 1, 0));
  }

  @Test
  void acceptsAValidPlanAndReturnsItsTimeline() {
    var v = validate("0: F0 F1 B0 W0 B1 W1\n1: F0 B0 F1 B1 W0 W1\n", 2);

    assertThat(v.ok()).isTrue();
    assertThat(v.problems()).isEmpty();
    assertThat(v.orThrow().cost()).isPositive();
    assertThat(v.report()).isEqualTo("0: F0 F1 B0 W0 B1 W1\n1: F0 B0 F1 B1 W0 W1\n");
  }

  @Test
  void reportsAMissingPass() {
    var v = validate("0: F0 B0 W0 F1 B1\n", 1);

    assertThat(v.problems()).containsExactly(
        "chunk 0 microbatch 1: passes F×1 B×1 W×0 BW×0; expected F, B, W or F, BW once each");
  }

  @Test
  void reportsAPassThatRunsTwiceAndMarksIt() {
    var v = validate("0: F0 F0 BW0\n", 1);

    assertThat(v.problems()).containsExactly("0F0: runs more than once",
        "chunk 0 microbatch 0: passes F×2 B×0 W×0 BW×1; expected F, B, W or F, BW once each");
    assertThat(v.report()).endsWith("0: >>F0<< >>F0<< BW0\n");
  }

  @Test
  void reportsAPassMixingFusedAndSplitBackward() {
    var v = validate("0: F0 B0 BW0 W0\n", 1);

    assertThat(v.problems()).containsExactly(
        "chunk 0 microbatch 0: passes F×1 B×1 W×1 BW×1; expected F, B, W or F, BW once each");
  }

  @Test
  void reportsAPassOnAStageThatDoesNotHoldItsChunk() {
    Placement twoChunks = Placement.interleaved(2, 2);
    Plan plan = new Plan("custom", 1, twoChunks, List.of(
        List.of(new Instruction(0, Op.F, 0, 0), new Instruction(0, Op.F, 0, 1), new Instruction(0, Op.F, 0, 2),
            new Instruction(0, Op.BW, 0, 2), new Instruction(0, Op.BW, 0, 0)),
        List.of(new Instruction(1, Op.F, 0, 3), new Instruction(1, Op.BW, 0, 3), new Instruction(1, Op.BW, 0, 1))));

    var v = Validator.validate(plan, CostModel.uniform(2, 1, 1, 1, 0));

    assertThat(v.problems()).containsExactly("0F0.1: chunk 1 belongs to stage 1");
    assertThat(v.marked()).containsExactly(new Instruction(0, Op.F, 0, 1));
  }

  @Test
  void reportsAPassOutsideThePlansMicrobatches() {
    Plan plan = new Plan("custom", 1, Placement.single(1),
        List.of(List.of(Instruction.of(0, Op.F, 0), Instruction.of(0, Op.BW, 0), Instruction.of(0, Op.F, 5))));

    assertThat(Validator.validate(plan, CostModel.uniform(1, 1, 1, 1, 0)).problems())
        .containsExactly("0F5: outside 1 microbatches and 1 chunks");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "0: F1 F0 BW0 BW1 | 0F0: F passes of chunk 0 out of microbatch order",
      "0: F0 F1 BW1 BW0 | 0BW0: BW passes of chunk 0 out of microbatch order",
      "0: F0 F1 B0 B1 W1 W0 | 0W0: W passes of chunk 0 out of microbatch order"})
  void reportsPassesOfOneKindOutOfMicrobatchOrder(String plan, String message) {
    assertThat(validate(plan + "\n", 1).problems()).containsExactly(message);
  }

  @Test
  void reportsADeadlockWithTheStagesAndPassesItWaitsAt() {
    var v = validate("0: B0 F0 W0\n1: F0 B0 W0\n", 2);

    assertThat(v.problems()).containsExactly("deadlock: stage 0 waits at 0B0 (pass 0) for 1B0 (B after the next stage's B); "
            + "stage 1 waits at 1F0 (pass 0) for 0F0 (F after the previous stage's F)");
    assertThat(v.timeline()).isNull();
  }

  @Test
  void reportsMemoryOverTheLimit() {
    Plan gpipe = Schedules.byName("gpipe").plan(Shape.of(1, 3), CostModel.uniform(1, 1, 1, 1, 0));

    var v = Validator.validate(gpipe, CostModel.uniform(1, 1, 1, 1, 0).withMemLimit(2.5));

    assertThat(v.problems()).containsExactly("stage 0: peak memory 3.0 exceeds the limit 2.5");
    assertThat(Validator.validate(gpipe, CostModel.uniform(1, 1, 1, 1, 0).withMemLimit(3)).ok()).isTrue();
  }

  @Test
  void orThrowNamesTheScheduleAndListsTheProblems() {
    var v = Validator.validate(PlanText.parse("# schedule: mine\n0: F1 F0 BW0 BW1\n"),
        CostModel.uniform(1, 1, 1, 1, 0));

    assertThatThrownBy(v::orThrow).isInstanceOf(InvalidPlanException.class).hasMessage(
        "invalid plan mine:\n- 0F0: F passes of chunk 0 out of microbatch order\n0: F1 >>F0<< BW0 BW1\n");
  }
}
