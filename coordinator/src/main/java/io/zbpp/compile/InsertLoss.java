package io.zbpp.compile;

import io.zbpp.protocol.msg.ProgramInstruction;
import io.zbpp.protocol.msg.ProgramOp;
import java.util.ArrayList;
import java.util.List;

/** Adds {@code LOSS j.(V−1)} right after every forward on the last chunk: the stage reads the loss there. */
public final class InsertLoss implements LoweringPass {
  @Override
  public String name() {
    return "insert-loss";
  }

  @Override
  public Programs apply(Programs in) {
    int last = in.chunks() - 1;
    return in.map(p -> {
      List<ProgramInstruction> out = new ArrayList<>();
      for (ProgramInstruction x : p.instructions()) {
        out.add(x);
        if (x.op() == ProgramOp.F && x.chunk() == last) {
          out.add(ProgramInstruction.of(p.stage(), ProgramOp.LOSS, x.microbatch(), last));
        }
      }
      return out;
    });
  }
}
