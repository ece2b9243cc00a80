package io.zbpp.compile;

import io.zbpp.protocol.msg.ProgramInstruction;
import io.zbpp.protocol.msg.ProgramOp;
import java.util.ArrayList;
import java.util.List;

/**
 * Post-validation (docs/design.md §6, docs/post-validation.md): right before the first B, BW or W of each stage's
 * program (after the RECV_B that feeds it),
 * {@code RECV_FULL} (stages other than the last, which computed the full state itself) and one
 * {@code VALIDATE} per chunk it holds. They check the <em>previous</em> iteration's eager step against the full
 * state (the first iteration has none: they pass at once). Everything before them in the program — the
 * warm-up forwards of this iteration — is speculative: it ran with the eager weights, and a rejected step
 * makes every stage roll back, redo or skip the step and run this iteration again from its first op. They sit
 * before any W because the previous iteration's gradients must still be there for a redo.
 */
public final class InsertValidation implements LoweringPass {
  @Override
  public String name() {
    return "insert-validation";
  }

  @Override
  public Programs apply(Programs in) {
    int p = in.stages().size();
    return in.map(prog -> {
      int s = prog.stage();
      List<ProgramInstruction> out = new ArrayList<>();
      boolean placed = false;
      for (ProgramInstruction x : prog.instructions()) {
        boolean backward = x.op() == ProgramOp.B || x.op() == ProgramOp.BW || x.op() == ProgramOp.W;
        if (backward && !placed) {
          if (s < p - 1) {
            out.add(ProgramInstruction.optimizer(s, ProgramOp.RECV_FULL, s));
          }
          for (int c : chunksOf(in, s)) {
            out.add(ProgramInstruction.optimizer(s, ProgramOp.VALIDATE, c));
          }
          placed = true;
        }
        out.add(x);
      }
      return out;
    });
  }

  private static List<Integer> chunksOf(Programs in, int stage) {
    List<Integer> cs = new ArrayList<>();
    for (int c = 0; c < in.chunks(); c++) {
      if (in.placement().stageOf(c) == stage) {
        cs.add(c);
      }
    }
    return cs;
  }
}
