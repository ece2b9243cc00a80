package io.zbpp.compile;

import io.zbpp.protocol.msg.ProgramInstruction;
import io.zbpp.protocol.msg.ProgramOp;
import java.util.ArrayList;
import java.util.List;

/**
 * The reduction of the optimizer check (docs/design.md §6, docs/post-validation.md), placed between the last pass and
 * the {@code STEP}s that {@link InsertOptimizerStep} appended: {@code NORM} per chunk the stage holds (its
 * grad-norm², ascending chunks), then {@code RECV_PARTIAL} from stage s−1 (s > 0) and {@code SEND_PARTIAL} to
 * s+1 (s < p−1): the partial state travels 0 → p−1 in stage order, which is the order in which a
 * parallelogram's stages finish. The last stage then holds the full state and {@code SEND_FULL}s it to every
 * other stage. {@code sync}: every other stage {@code RECV_FULL}s before its steps (the all-reduce barrier);
 * otherwise the steps are eager and the full state is received in the next iteration
 * ({@link InsertValidation}). Chunks are named by the stage's lowest chunk, so ops print without a suffix.
 */
public final class InsertGradientReduction implements LoweringPass {
  private final boolean sync;

  /** @param sync whether the stages wait for the full state before stepping (--post-validation off) */
  public InsertGradientReduction(boolean sync) {
    this.sync = sync;
  }

  @Override
  public String name() {
    return sync ? "insert-gradient-allreduce" : "insert-gradient-reduction";
  }

  @Override
  public Programs apply(Programs in) {
    int p = in.stages().size();
    return in.map(prog -> {
      int s = prog.stage();
      List<ProgramInstruction> body = new ArrayList<>();
      List<ProgramInstruction> steps = new ArrayList<>();
      for (ProgramInstruction x : prog.instructions()) {
        (x.op() == ProgramOp.STEP ? steps : body).add(x);
      }
      int own = s; // every placement gives stage s chunk s (single, interleaved, V-shape)
      for (ProgramInstruction step : steps) {
        body.add(ProgramInstruction.optimizer(s, ProgramOp.NORM, step.chunk()));
      }
      if (s > 0) {
        body.add(ProgramInstruction.optimizer(s, ProgramOp.RECV_PARTIAL, own));
      }
      if (s < p - 1) {
        body.add(ProgramInstruction.optimizer(s, ProgramOp.SEND_PARTIAL, own));
        if (sync) {
          body.add(ProgramInstruction.optimizer(s, ProgramOp.RECV_FULL, own));
        }
      } else if (p > 1) {
        body.add(ProgramInstruction.optimizer(s, ProgramOp.SEND_FULL, own));
      }
      body.addAll(steps);
      return body;
    });
  }
}
