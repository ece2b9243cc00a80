package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.gpu.pipeline.ReferenceTrainer;
import io.zbpp.schedule.Placement;
import io.zbpp.stage.ArithmeticChunkRunner;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The acceptance of issue 6 (docs/post-validation.md) on the fake model with order-sensitive float arithmetic,
 * serialized messages and small frames: against {@link ReferenceTrainer} with the same clip/skip options, the
 * pipeline's parameters are equal bit for bit — with no clip and no inf (the check changes nothing), with a
 * NaN injected at (iteration, stage) (every stage skips that step), and with a clip that triggers (exact
 * rollback bit for bit; in-place rollback within 1e-6 relative). The real model's rollbacks: {@link
 * RealModelRollbackTest}.
 */
class PostValidationTest {
  private static final int ITERATIONS = 4;
  private static final long SEED = 5;
  private static LocalTraining training;

  @BeforeAll
  static void start() {
    training = LocalTraining.open(true);
  }

  @AfterAll
  static void stop() {
    training.close();
  }

  private record Run(TrainReport report, List<float[]> params) {}

  private static Run pipeline(String schedule, int p, int m, TrainSpec.Builder b) {
    int v = schedule.equals("zb-v") || schedule.equals("1f1b-i") ? 2 : 1;
    Map<Integer, ArithmeticChunkRunner> made = new ConcurrentHashMap<>();
    TrainReport r = training.train(b.chunksPerStage(v).iterations(ITERATIONS).frameBytes(12)
        .serializeMessages(true).build(), c -> made.computeIfAbsent(c, k -> new ArithmeticChunkRunner(k, p * v, m,
            SEED)));
    List<float[]> params = new ArrayList<>();
    for (int c = 0; c < p * v; c++) {
      params.addAll(made.get(c).parameters());
    }
    return new Run(r, params);
  }

  private static ReferenceTrainer reference(int chunks, int m, ReferenceTrainer.Options o) {
    List<ChunkRunner> cs = new ArrayList<>();
    for (int c = 0; c < chunks; c++) {
      cs.add(new ArithmeticChunkRunner(c, chunks, m, SEED));
    }
    ReferenceTrainer t = new ReferenceTrainer(cs, m, o);
    t.run(ITERATIONS);
    return t;
  }

  static Stream<Arguments> schedulesAndChecks() {
    List<Arguments> out = new ArrayList<>();
    for (String s : io.zbpp.schedule.Schedules.names()) {
      out.add(Arguments.of(s, true));
      out.add(Arguments.of(s, false));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} post-validation={1}")
  @MethodSource("schedulesAndChecks")
  void withoutClipOrInfTheCheckChangesNothing(String schedule, boolean post) {
    Run r = pipeline(schedule, 3, 6, TrainSpec.builder(schedule, 3, 6).postValidation(post));
    ReferenceTrainer ref = reference(r.params().size() / 2, 6, ReferenceTrainer.Options.none());

    assertThat(r.report().paramsSha256()).isEqualTo(ReferenceTrainer.sha256(ref.parameters()));
    assertThat(r.report().optimizer().rollbacks()).isZero();
    assertThat(r.report().optimizer().skippedSteps()).isZero();
    assertThat(r.report().losses()).hasSize(ITERATIONS);
  }

  static Stream<Arguments> injections() {
    return Stream.of(
        Arguments.of("1f1b", true, 0, 0), Arguments.of("1f1b", true, 1, 2), Arguments.of("1f1b", false, 2, 1),
        Arguments.of("zb-2p", true, 1, 0), Arguments.of("zb-2p", true, 2, 1), Arguments.of("zb-2p", false, 0, 2),
        Arguments.of("zb-v", true, 1, 1), Arguments.of("zb-v", true, 3, 0), Arguments.of("zb-v", false, 1, 2),
        Arguments.of("zb-h1", true, 3, 2));
  }

  @ParameterizedTest(name = "{0} post={1} NaN at {2}:{3}")
  @MethodSource("injections")
  void anInjectedNanSkipsThatStepOnEveryStage(String schedule, boolean post, int it, int stage) {
    Run r = pipeline(schedule, 3, 4, TrainSpec.builder(schedule, 3, 4).postValidation(post).injectNan(it, stage));
    int chunks = r.params().size() / 2;
    Placement pl = chunks == 3 ? Placement.single(3) : Placement.vShape(3);
    Set<Integer> held = new HashSet<>();
    for (int c = 0; c < chunks; c++) {
      if (pl.stageOf(c) == stage) {
        held.add(c);
      }
    }
    ReferenceTrainer ref = reference(chunks, 4, ReferenceTrainer.Options.clip(0).injectNan(it, held));

    assertThat(ref.skippedSteps()).isEqualTo(1);
    assertThat(r.report().paramsSha256()).isEqualTo(ReferenceTrainer.sha256(ref.parameters()));
    assertThat(r.report().optimizer().skippedSteps()).isEqualTo(1);
    assertThat(r.report().losses()).allSatisfy(l -> assertThat(l).isFinite());
    if (post && stage > 0) { // the stages before it stepped eagerly on a finite partial state
      assertThat(r.report().optimizer().rollbacks()).isPositive();
    }
  }

  static Stream<Arguments> clips() {
    return Stream.of(Arguments.of("1f1b", "exact", true), Arguments.of("zb-2p", "exact", true),
        Arguments.of("zb-v", "exact", true), Arguments.of("zb-2p", "in-place", true),
        Arguments.of("zb-v", "in-place", true), Arguments.of("zb-2p", "exact", false),
        Arguments.of("zb-v", "exact", false));
  }

  @ParameterizedTest(name = "{0} rollback {1} post-validation={2}")
  @MethodSource("clips")
  void aTriggeredClipEqualsGlobalNormClipping(String schedule, String rollback, boolean post) {
    double clip = 0.02;
    Run r = pipeline(schedule, 3, 4, TrainSpec.builder(schedule, 3, 4).postValidation(post).clipNorm(clip)
        .rollback(rollback));
    ReferenceTrainer ref = reference(r.params().size() / 2, 4, ReferenceTrainer.Options.clip(clip));

    assertThat(ref.clippedSteps()).isPositive();
    assertThat(r.report().optimizer().clippedSteps()).isEqualTo(ref.clippedSteps());
    assertThat(r.report().optimizer().rollbackMode()).isEqualTo(post ? rollback : "sync");
    if (rollback.equals("exact")) {
      assertThat(r.report().paramsSha256()).isEqualTo(ReferenceTrainer.sha256(ref.parameters()));
      return;
    }
    List<float[]> want = ref.parameters();
    for (int i = 0; i < want.size(); i++) {
      for (int k = 0; k < want.get(i).length; k++) {
        assertThat(r.params().get(i)[k]).isCloseTo(want.get(i)[k],
            org.assertj.core.data.Offset.offset(1e-6f * Math.max(1f, Math.abs(want.get(i)[k]))));
      }
    }
  }

  static Stream<Arguments> badOptions() {
    return Stream.of(
        Arguments.of(TrainSpec.builder("zb-2p", 2, 2).iterations(2).injectNan(2, 0),
            "--inject-nan [2:0]: expected ITERATION:STAGE with ITERATION < 2 and STAGE < 2"),
        Arguments.of(TrainSpec.builder("zb-2p", 2, 2).injectNan(0, 5),
            "--inject-nan [0:5]: expected ITERATION:STAGE with ITERATION < 1 and STAGE < 2"),
        Arguments.of(TrainSpec.builder("zb-2p", 2, 2).clipNorm(-1),
            "--clip-norm [-1.0]: must be a number >= 0 (0: no clipping)"),
        Arguments.of(TrainSpec.builder("zb-2p", 2, 2).noOptimizerCheck().injectNan(0, 0),
            "--inject-nan [0:0]: needs the optimizer check (--post-validation on or off)"));
  }

  @ParameterizedTest
  @MethodSource("badOptions")
  void rejectsBadOptimizerOptionsWithOneLine(TrainSpec.Builder b, String message) {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalTraining.validate(b.build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @org.junit.jupiter.api.Test
  void rejectsAnUnknownRollbackMode() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrainSpec.builder("zb-2p", 2, 2).rollback("copy"))
        .hasMessage("--rollback [copy]: expected exact or in-place");
  }
}
