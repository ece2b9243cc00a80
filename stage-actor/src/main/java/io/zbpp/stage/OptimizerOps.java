package io.zbpp.stage;

import io.zbpp.protocol.msg.ProgramOp;
import java.util.Map;

/**
 * The optimizer ops of a batch (docs/post-validation.md), on the stage's executor: the one table from
 * STEP/NORM/VALIDATE and the state SENDs/RECVs to {@link StageOptimizer}.
 */
final class OptimizerOps {
  private OptimizerOps() {}

  static Computed run(StageRun.Step s, ChunkSet chunks, StageOptimizer opt, Batch.Context cx) {
    int it = cx.iteration();
    int c = s.in().chunk();
    long start = System.nanoTime();
    boolean rejected = false;
    ProgramOp op = s.in().op();
    switch (op) {
      case STEP -> opt.step(it, c);
      case NORM -> opt.norm(it, c);
      case VALIDATE -> rejected = validate(it - 1, c, chunks, opt, cx.attempt());
      case SEND_PARTIAL -> cx.states().send(cx.stage() + 1, it, false, opt.partialState(it));
      case SEND_FULL -> {
        Map<Integer, Double> full = opt.partialState(it);
        for (int t = 0; t < cx.stages() - 1; t++) {
          cx.states().send(t, it, true, full);
        }
        rejected = opt.rejects(it);
      }
      case RECV_PARTIAL, RECV_FULL -> {
        if (s.state() != null) {
          opt.receive(s.state().iteration(), s.state().full(), s.state().normSquared());
        }
      }
      case F, B, W, BW, LOSS, SEND_F, SEND_B, RECV_F, RECV_B ->
          throw new IllegalArgumentException(s.in() + " is not an optimizer op");
    }
    return new Computed(null, Double.NaN, start, System.nanoTime(), chunks.bytesHeld(), rejected);
  }

  /**
   * Validates chunk c's step of iteration {@code prev}. On a rejection in attempt 0 the stage's speculative
   * forwards are forgotten first, then every chunk's step is settled (rolled back and redone, or skipped), so
   * that attempt 1 starts from the corrected weights.
   */
  private static boolean validate(int prev, int c, ChunkSet chunks, StageOptimizer opt, int attempt) {
    if (prev < 0) {
      return false;
    }
    boolean rejected = opt.rejects(prev);
    if (rejected && attempt == 0) {
      chunks.discardForwards();
      opt.validateAll(prev);
      return true;
    }
    opt.validate(prev, c);
    return rejected;
  }
}
