package io.zbpp.runtime;

import io.zbpp.compile.TestPlans;
import io.zbpp.stage.ArithmeticChunkRunner;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Placement;
import io.zbpp.schedule.PlanText;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.ScheduleShapes;
import io.zbpp.schedule.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Synchronous semantics (docs/design.md "Contracts"): for every registered schedule and several (p, m), m < p
 * included, the pipeline's losses and parameter digest after several iterations equal the single-device
 * driver's bit for bit. Runs with {@code pekko.actor.serialize-messages = on} and a small tensor frame, so
 * every activation crosses as several protobuf frames.
 */
class LocalTrainingTest {
  private static final int ITERATIONS = 3;
  private static final long SEED = 11;
  private static final int[][] SHAPES = {{1, 2}, {2, 1}, {3, 2}, {4, 4}, {4, 6}};
  private static LocalTraining training;

  @BeforeAll
  static void start() {
    training = LocalTraining.open(true);
  }

  @AfterAll
  static void stop() {
    training.close();
  }

  static int chunksPerStage(String schedule) {
    return ScheduleShapes.chunksPerStage(schedule);
  }

  /** Every schedule on every shape it must accept (ScheduleShapes lists and tests the rejected ones). */
  static Stream<Arguments> everyScheduleAndShape() {
    return ScheduleShapes.everyScheduleAnd(SHAPES);
  }

  private static TrainReport train(TrainSpec.Builder b, int chunks, int m) {
    return training.train(b.iterations(ITERATIONS).frameBytes(12).serializeMessages(true).build(),
        c -> new ArithmeticChunkRunner(c, chunks, m, SEED));
  }

  private static void assertEqualsSequential(TrainReport r, int chunks, int m) {
    SequentialDriver.Result ref = SequentialDriver.run(chunks, m, ITERATIONS,
        c -> new ArithmeticChunkRunner(c, chunks, m, SEED), false);
    assertThat(r.losses()).isEqualTo(ref.losses());
    assertThat(r.paramsSha256()).isEqualTo(ref.paramsSha256());
  }

  @ParameterizedTest(name = "{0} p={1} m={2}")
  @MethodSource("everyScheduleAndShape")
  void everyScheduleTrainsBitForBitLikeOneDevice(String schedule, int p, int m) {
    int v = chunksPerStage(schedule);
    TrainReport r = train(TrainSpec.builder(schedule, p, m).chunksPerStage(v), p * v, m);

    assertEqualsSequential(r, p * v, m);
    assertThat(r.losses()).hasSize(ITERATIONS);
    assertThat(r.timeline()).hasSize(ITERATIONS * p * v * m * (r.planText().contains("BW") ? 2 : 3));
  }

  static Stream<Arguments> splitBackwardPlacements() {
    return Stream.of(Arguments.of(Placement.single(3), 2), Arguments.of(Placement.interleaved(2, 2), 3),
        Arguments.of(Placement.vShape(2), 3), Arguments.of(Placement.vShape(3), 2));
  }

  @ParameterizedTest
  @MethodSource("splitBackwardPlacements")
  void splitBackwardPlansOnEveryPlacementTrainBitForBit(Placement pl, int m) {
    String plan = PlanText.formatNamed(TestPlans.gpipeSplit(pl, m));
    TrainReport r = train(TrainSpec.builder("custom", pl.stages(), m).chunksPerStage(pl.chunksPerStage())
        .planText(plan), pl.chunks(), m);

    assertEqualsSequential(r, pl.chunks(), m);
    assertThat(r.schedule()).isEqualTo("gpipe-split");
  }

  @Test
  void theFakeModelNoticesAWrongWeightGradientOrder() {
    IntUnaryFactory f = c -> new ArithmeticChunkRunner(c, 2, 3, SEED);
    assertThat(SequentialDriver.run(2, 3, 1, f::make, true).paramsSha256())
        .isNotEqualTo(SequentialDriver.run(2, 3, 1, f::make, false).paramsSha256());
  }

  interface IntUnaryFactory {
    ArithmeticChunkRunner make(int c);
  }

  @Test
  void reportsPredictedAndRealizedBubbleAndThroughputAndCallsBackPerIteration() {
    List<Integer> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    TrainReport r = training.train(TrainSpec.builder("1f1b", 3, 4).iterations(ITERATIONS).build(),
        c -> new ArithmeticChunkRunner(c, 3, 4, SEED), it -> seen.add(it.iteration()));

    // 1F1B, unit costs, no comm: cost (m + p − 1)·3 = 18, work m·3 = 12 (docs/design.md §3)
    assertThat(r.predictedBubbleRate()).isCloseTo(6.0 / 18.0, org.assertj.core.data.Offset.offset(1e-12));
    // realized, per iteration: (cost − work) / cost of the timeline's bars (cost: the longest stage span, work:
    // the busiest stage's summed pass time); the mean leaves out the first iteration
    assertThat(r.realizedBubbleRates()).hasSize(ITERATIONS);
    for (int it = 0; it < ITERATIONS; it++) {
      assertThat(r.realizedBubbleRates().get(it)).as("iteration %d", it)
          .isCloseTo(bubbleOfBars(r.timeline(), it, 3), org.assertj.core.data.Offset.offset(1e-6));
    }
    assertThat(r.realizedBubbleRate()).isCloseTo((r.realizedBubbleRates().get(1) + r.realizedBubbleRates().get(2))
        / 2, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(r.iterationMillis()).hasSize(ITERATIONS).allSatisfy(ms -> assertThat(ms).isPositive());
    assertThat(r.samplesPerSecond()).isPositive();
    assertThat(seen).containsExactly(0, 1, 2);
  }

  private static double bubbleOfBars(List<TrainReport.TimelineBar> bars, int iteration, int stages) {
    double cost = 0;
    double work = 0;
    for (int s = 0; s < stages; s++) {
      int stage = s;
      List<TrainReport.TimelineBar> mine = bars.stream().filter(b -> b.iteration() == iteration
          && b.stage() == stage).toList();
      double start = mine.stream().mapToDouble(TrainReport.TimelineBar::startMillis).min().orElseThrow();
      double end = mine.stream().mapToDouble(TrainReport.TimelineBar::endMillis).max().orElseThrow();
      cost = Math.max(cost, end - start);
      work = Math.max(work, mine.stream().mapToDouble(b -> b.endMillis() - b.startMillis()).sum());
    }
    return (cost - work) / cost;
  }

  static Stream<Arguments> badInput() {
    return Stream.of(
        Arguments.of(TrainSpec.builder("1f1b", 2, 0), "--microbatches [0]: must be at least 1"),
        Arguments.of(TrainSpec.builder("1f1b", 0, 4), "--stages [0]: must be at least 1"),
        Arguments.of(TrainSpec.builder("1f1b", 9, 4).availableChunks(8),
            "--stages [9]: 9 stages × 1 chunks need 9 model chunks, the model has 8 layers"),
        Arguments.of(TrainSpec.builder("no-such", 2, 4), "--schedule [no-such]: unknown; expected one of "
            + String.join(", ", Schedules.names())),
        Arguments.of(TrainSpec.builder("1f1b", 4, 8).memLimit(2), "--mem-limit [2.0]: infeasible for 1f1b with "
            + "p=4 m=8: stage 0: peak memory 4.0 exceeds the limit 2.0"));
  }

  @ParameterizedTest
  @MethodSource("badInput")
  void rejectsBadInputBeforeAnyActorStarts(TrainSpec.Builder spec, String message) {
    assertThatThrownBy(() -> LocalTraining.run(spec.build(), c -> {
      throw new AssertionError("no chunk may be built for bad input");
    })).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }
}
