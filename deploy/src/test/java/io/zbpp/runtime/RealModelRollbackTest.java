package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.optim.GradientClipping;
import io.zbpp.gpu.optim.GradientClipping.Verdict;
import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.gpu.pipeline.ChunkRunnerFactory;
import io.zbpp.gpu.pipeline.HostTensor;
import io.zbpp.gpu.pipeline.ReferenceTrainer;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.schedule.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Post-validation on the real model (tiny preset, cpu backend, AdamW) with rollbacks that really happen
 * (docs/post-validation.md): a NaN on the last stage makes every earlier stage undo its eager step; a clip
 * chosen between the first stage's partial gradient norm and the global one lets the first stage step eagerly
 * and then roll back. Each run equals the reference trainer with the same options bit for bit, and its
 * {@code rollbacks} and {@code rollbackBytes} equal what the gradient norms imply: a stage s &lt; p−1 steps
 * eagerly in an iteration when the norm² of the chunks of stages 0…s does not clip or skip, keeping 12 bytes
 * per parameter it holds; the step is rolled back (once per chunk) when the global norm² then clips or skips.
 */
class RealModelRollbackTest {
  private static final long SEED = 3;
  private static final int M = 3;
  private static final int ITERATIONS = 3;
  private static LocalTraining training;

  @BeforeAll
  static void start() {
    training = LocalTraining.open(true);
  }

  @AfterAll
  static void stop() {
    training.close();
  }

  private record Job(String schedule, int p, int v, Placement placement, RunnerSpec runner) {
    static Job of(String schedule, int p) {
      int v = schedule.equals("zb-v") ? 2 : 1;
      return new Job(schedule, p, v, v == 2 ? Placement.vShape(p) : Placement.single(p),
          RunnerSpec.of("tiny", Backend.CPU, SEED, M, 1, p * v));
    }
  }

  private record Expected(int rollbacks, int skipped, int clipped, long rollbackBytes) {}

  @Test
  void aNanOnTheLastStageRollsBackEveryEarlierStagesEagerStep() {
    Job job = Job.of("zb-2p", 3);
    ReferenceTrainer.Options options = ReferenceTrainer.Options.clip(0).injectNan(1, Set.of(2));

    Expected want = expected(job, options);
    TrainReport r = train(job, b -> b.injectNan(1, 2));

    assertThat(want).isEqualTo(new Expected(2, 1, 0, want.rollbackBytes()));
    assertMatches(job, r, options, want);
  }

  @Test
  void aClipThatOnlyTheGlobalNormTriggersRollsBackTheFirstStageOnZb2p() {
    Job job = Job.of("zb-2p", 2);
    double clip = clipBetweenFirstStageAndGlobalNorm(job);
    ReferenceTrainer.Options options = ReferenceTrainer.Options.clip(clip);

    Expected want = expected(job, options);
    TrainReport r = train(job, b -> b.clipNorm(clip));

    assertThat(want.rollbacks()).isPositive();
    assertThat(want.clipped()).isPositive();
    assertMatches(job, r, options, want);
  }

  @Test
  void aClipThatOnlyTheGlobalNormTriggersRollsBackBothChunksOfTheFirstStageOnZbV() {
    Job job = Job.of("zb-v", 2);
    double clip = clipBetweenFirstStageAndGlobalNorm(job);
    ReferenceTrainer.Options options = ReferenceTrainer.Options.clip(clip);

    Expected want = expected(job, options);
    TrainReport r = train(job, b -> b.clipNorm(clip));

    assertThat(want.rollbacks()).as("stage 0 holds chunks 0 and 3: two rollbacks per clipped iteration")
        .isPositive().isEven();
    assertMatches(job, r, options, want);
  }

  @Test
  void aNanAndATriggeredClipTogetherOnZb2p() {
    Job job = Job.of("zb-2p", 3);
    double clip = clipBetweenFirstStageAndGlobalNorm(job);
    ReferenceTrainer.Options options = ReferenceTrainer.Options.clip(clip).injectNan(2, Set.of(2));

    Expected want = expected(job, options);
    TrainReport r = train(job, b -> b.clipNorm(clip).injectNan(2, 2));

    assertThat(want.skipped()).isEqualTo(1);
    assertThat(want.rollbacks()).isGreaterThanOrEqualTo(2);
    assertMatches(job, r, options, want);
  }

  private static TrainReport train(Job job, java.util.function.UnaryOperator<TrainSpec.Builder> options) {
    TrainSpec spec = options.apply(TrainSpec.builder(job.schedule(), job.p(), M).chunksPerStage(job.v())
        .iterations(ITERATIONS).postValidation(true).rollback("exact").serializeMessages(true)).build();
    return training.train(spec, c -> ChunkRunnerFactory.create(job.runner(), c));
  }

  private static void assertMatches(Job job, TrainReport r, ReferenceTrainer.Options options, Expected want) {
    try (ReferenceTrainer ref = new ReferenceTrainer(job.runner(), options)) {
      ref.run(ITERATIONS);

      assertThat(r.paramsSha256()).isEqualTo(ref.parameterSha256());
      assertThat(ref.skippedSteps()).isEqualTo(want.skipped());
      assertThat(ref.clippedSteps()).isEqualTo(want.clipped());
    }
    assertThat(r.optimizer().rollbackMode()).isEqualTo("exact");
    assertThat(r.optimizer().rollbacks()).isEqualTo(want.rollbacks());
    assertThat(r.optimizer().skippedSteps()).isEqualTo(want.skipped());
    assertThat(r.optimizer().clippedSteps()).isEqualTo(want.clipped());
    assertThat(r.optimizer().rollbackBytes()).isEqualTo(want.rollbackBytes()).isPositive();
  }

  /**
   * A clip norm halfway (in norm²) between the first stage's partial norm² and the global one in iteration 0, so
   * that the first stage steps eagerly and the global check clips.
   */
  private static double clipBetweenFirstStageAndGlobalNorm(Job job) {
    double[] n = chunkNorms(job, ReferenceTrainer.Options.none(), 0);
    double first = partial(job, n, 0);
    double global = GradientClipping.globalNormSquared(n);
    assertThat(first).isLessThan(global);
    return Math.sqrt(first + (global - first) / 2);
  }

  /** What the runtime must count, from each iteration's per-chunk norms² (see the class comment). */
  private static Expected expected(Job job, ReferenceTrainer.Options options) {
    int rollbacks = 0;
    int skipped = 0;
    int clipped = 0;
    long bytes = 0;
    for (int k = 0; k < ITERATIONS; k++) {
      double[] n = chunkNorms(job, options, k);
      Verdict global = GradientClipping.verdict(GradientClipping.globalNormSquared(n), options.clipNorm());
      skipped += global == Verdict.SKIP ? 1 : 0;
      clipped += global == Verdict.CLIP ? 1 : 0;
      for (int s = 0; s < job.p() - 1; s++) {
        if (GradientClipping.verdict(partial(job, n, s), options.clipNorm()) != Verdict.STEP) {
          continue; // deferred: nothing kept, nothing to undo
        }
        bytes = Math.max(bytes, 12L * parametersOf(job, s));
        rollbacks += global == Verdict.STEP ? 0 : job.v();
      }
    }
    return new Expected(rollbacks, skipped, clipped, bytes);
  }

  /** Σ norm² over the chunks held by stages 0…s, in model order, as the partial state carries it. */
  private static double partial(Job job, double[] n, int s) {
    TreeMap<Integer, Double> known = new TreeMap<>();
    for (int c = 0; c < n.length; c++) {
      if (job.placement().stageOf(c) <= s) {
        known.put(c, n[c]);
      }
    }
    return GradientClipping.globalNormSquared(known.values().stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static long parametersOf(Job job, int stage) {
    long count = 0;
    for (int c = 0; c < job.p() * job.v(); c++) {
      if (job.placement().stageOf(c) == stage) {
        try (ChunkRunner r = ChunkRunnerFactory.create(job.runner(), c)) {
          count += r.parameters().stream().mapToLong(t -> t.length).sum();
        }
      }
    }
    return count;
  }

  /**
   * Each chunk's gradient norm² in iteration k right before the optimizer looks at it: the reference runs k
   * iterations with the options, then iteration k's passes in its order (and the injected NaN, if any).
   */
  private static double[] chunkNorms(Job job, ReferenceTrainer.Options options, int k) {
    List<ChunkRunner> chunks = ChunkRunnerFactory.createAll(job.runner());
    try (ReferenceTrainer ref = new ReferenceTrainer(chunks, M, options)) {
      ref.run(k);
      int v = chunks.size();
      for (int j = 0; j < M; j++) {
        HostTensor x = null;
        for (ChunkRunner c : chunks) {
          x = c.forward(k, j, x);
        }
        chunks.get(v - 1).loss(j);
        HostTensor g = null;
        for (int c = v - 1; c >= 0; c--) {
          g = chunks.get(c).backwardInput(j, g);
          chunks.get(c).backwardWeight(j);
        }
      }
      if (k == options.injectNanIteration()) {
        options.injectNanChunks().forEach(c -> chunks.get(c).poisonGradients());
      }
      List<Double> norms = new ArrayList<>();
      chunks.forEach(c -> norms.add(c.gradNormSquared()));
      return norms.stream().mapToDouble(Double::doubleValue).toArray();
    }
  }
}
