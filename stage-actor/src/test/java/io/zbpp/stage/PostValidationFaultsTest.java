package io.zbpp.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.pipeline.HostTensor;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.OptimizerState;
import io.zbpp.protocol.msg.StageProgram;
import io.zbpp.protocol.msg.TensorKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fault cases of post-validation (docs/post-validation.md) on the plain classes the stage actor drives: a
 * full state that arrives after the next iteration started, one that arrives twice, a speculative tensor that
 * arrives after the restart, and a validation that runs twice.
 */
class PostValidationFaultsTest {
  private static final JobEpoch JOB = new JobEpoch("j", 1);
  private static final OptimizerOptions POST = new OptimizerOptions(OptimizerOptions.Check.POST_VALIDATION, 0,
      OptimizerOptions.Rollback.EXACT, -1, -1);
  /** Stage 0 of 2, as InsertGradientReduction and InsertValidation lower 1F1B with m = 1. */
  private static final StageProgram STAGE0 = StageProgram.parse(
      "0: 0F0 0SEND_F0 0RECV_FULL 0VALIDATE 0RECV_B0 0BW0 0NORM 0SEND_PARTIAL 0STEP");

  private static List<String> ops(List<StageRun.Step> steps) {
    return steps.stream().map(s -> s.in().toString()).toList();
  }

  private static StageRun stage0() {
    return new StageRun(0, STAGE0, List.of(0, 1), POST);
  }

  private static List<Computed> results(List<StageRun.Step> steps, boolean rejected) {
    List<Computed> out = new ArrayList<>();
    for (StageRun.Step s : steps) {
      HostTensor t = s.in().op().name().equals("F") ? new HostTensor(new int[] {1}, new float[] {1}) : null;
      out.add(new Computed(t, Double.NaN, 0, 1, 0, rejected && s.in().op().name().equals("VALIDATE")));
    }
    return out;
  }

  private static OptimizerState full(int it, double norm2) {
    return new OptimizerState(JOB, it, 1, true, Map.of(0, norm2, 1, 0.0));
  }

  @Test
  void aFullStateArrivingAfterTheNextIterationStartedWaitsForItsValidation() {
    StageRun run = stage0();
    run.begin(1); // iteration 0's eager step is not validated yet; its full state has not come

    List<StageRun.Step> speculative = run.takeRunnable();
    assertThat(ops(speculative)).containsExactly("0F0", "0SEND_F0");
    run.apply(speculative, results(speculative, false));
    assertThat(run.takeRunnable()).isEmpty();

    run.offerState(full(0, 1.0));
    List<StageRun.Step> validation = run.takeRunnable();
    assertThat(ops(validation)).containsExactly("0RECV_FULL", "0VALIDATE");
    assertThat(validation.get(0).state()).isEqualTo(full(0, 1.0));
  }

  @Test
  void aDuplicateFullStateIsDroppedAndAnOldOneIsNotUsedAgain() {
    StageRun run = stage0();
    run.begin(1);
    run.offerState(full(0, 1.0));
    run.offerState(full(0, 1.0));
    assertThat(run.bufferedStates()).isEqualTo(1);
    List<StageRun.Step> batch = run.takeRunnable();
    run.apply(batch, results(batch, false));

    run.offerState(full(0, 1.0)); // arrives a second time after it was used
    assertThat(run.bufferedStates()).isZero();
  }

  @Test
  void aRejectedStepRestartsTheIterationAndDropsSpeculativeTensors() {
    StageRun run = stage0();
    run.begin(1);
    run.offerState(full(0, Double.NaN));
    List<StageRun.Step> batch = run.takeRunnable();
    assertThat(ops(batch)).containsExactly("0F0", "0SEND_F0", "0RECV_FULL", "0VALIDATE");
    run.apply(batch, results(batch, true));

    assertThat(run.attempt()).isEqualTo(1);
    assertThat(run.pc()).isZero();
    run.offer(TensorKey.gradient(1, 0, 0), new HostTensor(new int[] {1}, new float[] {9})); // attempt 0: late
    assertThat(run.buffered()).isZero();
    run.offer(TensorKey.gradient(1, 0, 0).inAttempt(1), new HostTensor(new int[] {1}, new float[] {9}));
    assertThat(run.buffered()).isEqualTo(1);
    List<StageRun.Step> again = run.takeRunnable(); // the used full state lets RECV_FULL pass; VALIDATE is a no-op
    assertThat(ops(again)).containsExactly("0F0", "0SEND_F0", "0RECV_FULL", "0VALIDATE");
    assertThat(again.get(1).key()).isEqualTo(TensorKey.activation(1, 0, 1).inAttempt(1));
  }

  @Test
  void aStageWaitingForASpeculativeInputGoesStraightToValidationOnceTheStateRejects() {
    StageRun run = new StageRun(1, StageProgram.parse(
        "1: 1RECV_F0 1F0 1RECV_FULL 1VALIDATE 1BW0 1SEND_B0 1NORM 1RECV_PARTIAL 1STEP"), List.of(0, 1), POST);
    run.begin(1);
    assertThat(run.takeRunnable()).isEmpty(); // its sender may have restarted: attempt 0 of F0 never comes

    run.offerState(full(0, Double.POSITIVE_INFINITY));
    run.skipToValidationIfRejected();
    assertThat(ops(run.takeRunnable())).containsExactly("1RECV_FULL", "1VALIDATE");
  }

  @Test
  void validatingTheSameStepTwiceRollsBackOnce() {
    ArithmeticChunkRunner r = new ArithmeticChunkRunner(0, 1, 1, 3);
    r.forward(0, 0, null);
    r.backwardWeight(0 + bw(r));
    StageOptimizer opt = new StageOptimizer(0, 2, POST, new ChunkSet(List.of(0), c -> r));
    opt.norm(0, 0);
    opt.step(0, 0); // eager: only chunk 0 of 2 is known
    List<float[]> eager = r.parameters();

    opt.receive(0, true, Map.of(0, 1.0, 1, Double.NaN));
    assertThat(opt.validate(0, 0)).isTrue();
    List<float[]> skipped = r.parameters();
    assertThat(opt.validate(0, 0)).isTrue();

    assertThat(r.rollbacks()).isEqualTo(1);
    assertThat(r.parameters().get(0)).isEqualTo(skipped.get(0)).isNotEqualTo(eager.get(0));
    assertThat(opt.stats().skippedSteps()).isEqualTo(1);
    assertThat(opt.stats().rollbacks()).isEqualTo(1);
  }

  /** Runs B so that W has what it needs; returns 0. */
  private static int bw(ArithmeticChunkRunner r) {
    r.backwardInput(0, null);
    return 0;
  }
}
