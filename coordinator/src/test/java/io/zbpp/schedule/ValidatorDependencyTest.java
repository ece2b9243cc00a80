package io.zbpp.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One rejected plan per dependency edge of the paper's pass graph (docs/design.md §1), single- and multi-chunk:
 * F after the previous stage's/chunk's F; B (or fused BW) after the next stage's/chunk's backward, and after its
 * own F on the last chunk; W after its own B; passes of one kind in microbatch order. Each message names the
 * violated rule. Then the property: a valid plan of any schedule with any one pass moved right before one of
 * its dependencies on its stage is rejected, naming that pass and that dependency.
 */
class ValidatorDependencyTest {
  private static List<String> problems(String planText) {
    Plan plan = PlanText.parse(planText.replace("/", "\n"));
    return Validator.validate(plan, CostModel.uniform(plan.stageCount(), 1, 1, 1, 0)).problems();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "0: F0 W0 B0 | deadlock: stage 0 waits at 0W0 (pass 1) for 0B0 (W after its own B)",
      "0: F0 B0 W0 / 1: F0 W0 B0 | deadlock: stage 0 waits at 0B0 (pass 1) for 1B0 (B after the next stage's B); "
          + "stage 1 waits at 1W0 (pass 1) for 1B0 (W after its own B)",
      "0: B0 F0 W0 | deadlock: stage 0 waits at 0B0 (pass 0) for 0F0 (B after its own F)",
      "0: F0 B0 W0 / 1: B0 F0 W0 | deadlock: stage 0 waits at 0B0 (pass 1) for 1B0 (B after the next stage's B); "
          + "stage 1 waits at 1B0 (pass 0) for 1F0 (B after its own F)",
      "0: B0 F0 W0 / 1: F0 B0 W0 | deadlock: stage 0 waits at 0B0 (pass 0) for 1B0 (B after the next stage's B); "
          + "stage 1 waits at 1F0 (pass 0) for 0F0 (F after the previous stage's F)",
      "0: B0 F0 W0 / 1: F0 B0 W0 / 2: F0 B0 W0 | deadlock: stage 0 waits at 0B0 (pass 0) for 1B0 (B after the next "
          + "stage's B); stage 1 waits at 1F0 (pass 0) for 0F0 (F after the previous stage's F); stage 2 waits at "
          + "2F0 (pass 0) for 1F0 (F after the previous stage's F)",
      "0: BW0 F0 | deadlock: stage 0 waits at 0BW0 (pass 0) for 0F0 (BW after its own F)",
      "0: BW0 F0 / 1: F0 BW0 | deadlock: stage 0 waits at 0BW0 (pass 0) for 1BW0 (BW after the next stage's BW); "
          + "stage 1 waits at 1F0 (pass 0) for 0F0 (F after the previous stage's F)",
      "0: B0 F0 W0 / 1: F0 BW0 | deadlock: stage 0 waits at 0B0 (pass 0) for 1BW0 (B after the next stage's BW); "
          + "stage 1 waits at 1F0 (pass 0) for 0F0 (F after the previous stage's F)",
      "0: F0 BW0 / 1: BW0 F0 | deadlock: stage 0 waits at 0BW0 (pass 1) for 1BW0 (BW after the next stage's BW); "
          + "stage 1 waits at 1BW0 (pass 0) for 1F0 (BW after its own F)",
      "0: F0 F1 B1 B0 W0 W1 | 0B0: B passes of chunk 0 out of microbatch order",
      "0: F0 F1 BW1 B0 W0 | 0B0: B passes of chunk 0 out of microbatch order",
      "0: F1 F0 BW0 BW1 / 1: F0 F1 BW0 BW1 | 0F0: F passes of chunk 0 out of microbatch order"})
  void singleChunkPlansViolatingOneEdgeNameTheRule(String plan, String message) {
    assertThat(problems(plan)).containsExactly(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // ZB-V's turn on one stage: chunk 1's F after chunk 0's F on the same stage
      "0: F0.1 F0.0 B0.1 B0.0 W0.1 W0.0 | deadlock: stage 0 waits at 0F0.1 (pass 0) for 0F0.0 (F after the "
          + "previous chunk's F)",
      // ZB-V, p = 2: stage 1 holds chunks 1 and 2 and runs chunk 2's F first
      "0: F0.0 F0.3 B0.3 B0.0 W0.3 W0.0 / 1: F0.2 F0.1 B0.2 B0.1 W0.2 W0.1 | deadlock: stage 0 waits at 0F0.3 "
          + "(pass 1) for 1F0.2 (F after the previous chunk's F); stage 1 waits at 1F0.2 (pass 0) for 1F0.1 "
          + "(F after the previous chunk's F)",
      // interleaved, p = 2: the chunk edges cross stages
      "0: F0.0 F0.2 B0.2 B0.0 W0.2 W0.0 / 1: F0.3 F0.1 B0.3 B0.1 W0.3 W0.1 | deadlock: stage 0 waits at 0F0.2 "
          + "(pass 1) for 1F0.1 (F after the previous chunk's F); stage 1 waits at 1F0.3 (pass 0) for 0F0.2 "
          + "(F after the previous chunk's F)",
      "0: F0.0 F0.1 B0.0 B0.1 W0.1 W0.0 | deadlock: stage 0 waits at 0B0.0 (pass 2) for 0B0.1 (B after the next "
          + "chunk's B)",
      "0: F0.0 F0.2 B0.0 B0.2 W0.2 W0.0 / 1: F0.1 F0.3 B0.3 B0.1 W0.3 W0.1 | deadlock: stage 0 waits at 0B0.0 "
          + "(pass 2) for 1B0.1 (B after the next chunk's B); stage 1 waits at 1B0.1 (pass 3) for 0B0.2 (B after "
          + "the next chunk's B)",
      "0: F0.0 B0.1 F0.1 B0.0 W0.1 W0.0 | deadlock: stage 0 waits at 0B0.1 (pass 1) for 0F0.1 (B after its own F)",
      "0: F0.0 F0.1 B0.1 W0.0 B0.0 W0.1 | deadlock: stage 0 waits at 0W0.0 (pass 3) for 0B0.0 (W after its own B)",
      "0: F0.0 F0.1 BW0.0 BW0.1 | deadlock: stage 0 waits at 0BW0.0 (pass 2) for 0BW0.1 (BW after the next "
          + "chunk's BW)",
      "0: F0.0 F0.1 B0.0 W0.0 BW0.1 | deadlock: stage 0 waits at 0B0.0 (pass 2) for 0BW0.1 (B after the next "
          + "chunk's BW)",
      "0: F0.0 BW0.1 F0.1 BW0.0 | deadlock: stage 0 waits at 0BW0.1 (pass 1) for 0F0.1 (BW after its own F)",
      "0: F0.0 F1.0 F1.1 F0.1 BW0.1 BW1.1 BW0.0 BW1.0 | 0F0.1: F passes of chunk 1 out of microbatch order",
      "0: F0.0 F1.0 F0.1 F1.1 B0.1 B1.1 B1.0 B0.0 W0.1 W1.1 W0.0 W1.0 | 0B0.0: B passes of chunk 0 out of "
          + "microbatch order",
      "0: F0.0 F1.0 F0.1 F1.1 B0.1 B1.1 B0.0 B1.0 W1.1 W0.1 W0.0 W1.0 | 0W0.1: W passes of chunk 1 out of "
          + "microbatch order"})
  void multiChunkPlansViolatingOneEdgeNameTheRule(String plan, String message) {
    assertThat(problems(plan)).containsExactly(message);
  }

  private static final int[][] SHAPES = {{1, 1}, {1, 3}, {2, 1}, {2, 4}, {3, 2}, {4, 4}, {4, 9}, {5, 3}};

  /** Every schedule on every grid shape, with per-stage costs drawn from a seeded generator. */
  static Stream<Arguments> randomValidPlans() {
    Random rnd = new Random(18);
    return ScheduleShapes.everyScheduleAnd(SHAPES).map(a -> {
      String name = (String) a.get()[0];
      int p = (int) a.get()[1];
      int m = (int) a.get()[2];
      CostModel costs = CostModel.builder(p).tf(draw(rnd, p)).tb(draw(rnd, p)).tw(draw(rnd, p))
          .comm(rnd.nextDouble() * 0.5).build();
      return Arguments.of(name, p, m, costs);
    });
  }

  private static double[] draw(Random rnd, int p) {
    double[] v = new double[p];
    for (int s = 0; s < p; s++) {
      v[s] = 0.5 + rnd.nextDouble();
    }
    return v;
  }

  @ParameterizedTest(name = "{0} p={1} m={2}")
  @MethodSource("randomValidPlans")
  void aValidPlanWithAnyPassMovedBeforeOneOfItsDependenciesIsRejected(String name, int p, int m,
      CostModel costs) {
    Plan plan = Schedules.byName(name).plan(new Shape(p, m, ScheduleShapes.chunksPerStage(name)), costs);
    assertThat(Validator.validate(plan, costs).ok()).as("the unmoved plan").isTrue();
    int moves = 0;
    for (int s = 0; s < p; s++) {
      List<Instruction> ops = plan.stage(s);
      for (int x = 0; x < ops.size(); x++) {
        for (int d = 0; d < x; d++) {
          Optional<String> rule = sameStageDependency(ops.get(x), ops.get(d), plan.placement());
          if (rule.isEmpty()) {
            continue;
          }
          Plan moved = moveBefore(plan, s, x, d);
          List<String> problems = Validator.validate(moved, costs).problems();
          String what = name + " p=" + p + " m=" + m + ": " + Simulator.name(ops.get(x), plan) + " moved before "
              + Simulator.name(ops.get(d), plan);
          assertThat(problems).as(what).isNotEmpty();
          String expected = expectedFirstProblem(moved, s, d, ops.get(x), ops.get(d), rule.get());
          if (expected.startsWith("deadlock: ")) {
            assertThat(problems).as(what).hasSize(1);
            assertThat(problems.get(0)).as(what).startsWith("deadlock: ").contains(expected.substring(10));
          } else {
            assertThat(problems.get(0)).as(what).isEqualTo(expected);
          }
          moves++;
        }
      }
    }
    // at least the last chunk's backward after its own F, per microbatch
    assertThat(moves).as("dependencies found on the plan's stages").isGreaterThanOrEqualTo(m);
  }

  /**
   * The rule by which {@code x} depends on {@code dep} when both sit on one stage: the kinds' edges of the pass
   * graph and the microbatch order of one kind on one chunk.
   */
  private static Optional<String> sameStageDependency(Instruction x, Instruction dep, Placement pl) {
    String neighbour = pl.isSingle() ? "stage's" : "chunk's";
    boolean sameUnit = x.chunk() == dep.chunk() && x.microbatch() == dep.microbatch();
    boolean backward = dep.op() == Op.B || dep.op() == Op.BW;
    return switch (x.op()) {
      case F -> x.chunk() > 0 && dep.op() == Op.F && dep.chunk() == x.chunk() - 1
          && dep.microbatch() == x.microbatch() ? Optional.of("F after the previous " + neighbour + " F")
          : sameKindEarlier(x, dep);
      case B, BW -> {
        if (x.chunk() == pl.chunks() - 1 && sameUnit && dep.op() == Op.F) {
          yield Optional.of(x.op() + " after its own F");
        }
        if (backward && dep.chunk() == x.chunk() + 1 && dep.microbatch() == x.microbatch()) {
          yield Optional.of(x.op() + " after the next " + neighbour + " " + dep.op());
        }
        yield sameKindEarlier(x, dep);
      }
      case W -> sameUnit && dep.op() == Op.B ? Optional.of("W after its own B") : sameKindEarlier(x, dep);
    };
  }

  private static Optional<String> sameKindEarlier(Instruction x, Instruction dep) {
    return kind(x) == kind(dep) && x.chunk() == dep.chunk() && dep.microbatch() < x.microbatch()
        ? Optional.of("order") : Optional.empty();
  }

  private static int kind(Instruction in) {
    return switch (in.op()) {
      case F -> 0;
      case B, BW -> 1;
      case W -> 2;
    };
  }

  /**
   * What the validator must say first: the out-of-order pass when the move puts a pass of one kind before an
   * earlier microbatch of that kind on its chunk, otherwise the deadlock at the moved pass waiting for its
   * dependency (other stages may be blocked too; the message lists every blocked stage).
   */
  private static String expectedFirstProblem(Plan moved, int s, int at, Instruction x, Instruction dep,
      String rule) {
    for (int t = 0; t < moved.stageCount(); t++) {
      int[][] last = new int[moved.placement().chunks()][3];
      for (int[] row : last) {
        java.util.Arrays.fill(row, -1);
      }
      for (Instruction in : moved.stage(t)) {
        if (in.microbatch() < last[in.chunk()][kind(in)]) {
          return Simulator.name(in, moved) + ": " + in.op() + " passes of chunk " + in.chunk()
              + " out of microbatch order";
        }
        last[in.chunk()][kind(in)] = Math.max(last[in.chunk()][kind(in)], in.microbatch());
      }
    }
    assertThat(rule).as("a same-kind move always breaks the microbatch order").isNotEqualTo("order");
    String wait = "stage " + s + " waits at " + Simulator.name(x, moved) + " (pass " + at + ") for "
        + Simulator.name(dep, moved) + " (" + rule + ")";
    return "deadlock: " + wait;
  }

  private static Plan moveBefore(Plan plan, int stage, int from, int to) {
    List<List<Instruction>> stages = new ArrayList<>();
    for (int t = 0; t < plan.stageCount(); t++) {
      List<Instruction> ops = new ArrayList<>(plan.stage(t));
      if (t == stage) {
        ops.add(to, ops.remove(from));
      }
      stages.add(ops);
    }
    return new Plan(plan.schedule(), plan.microbatches(), plan.placement(), stages);
  }
}
