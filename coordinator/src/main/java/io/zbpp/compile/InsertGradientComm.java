package io.zbpp.compile;

import io.zbpp.protocol.msg.ProgramInstruction;
import io.zbpp.protocol.msg.ProgramOp;
import java.util.ArrayList;
import java.util.List;

/**
 * Adds the gradient traffic: {@code RECV_B j.c} right before B or BW (c, j) when chunk c+1 lives on another
 * stage, and {@code SEND_B j.c} right after it when chunk c−1 does. A fused BW sends only after both parts
 * are done, so its gradient leaves later than a split B's (docs/design.md plan files).
 */
public final class InsertGradientComm implements LoweringPass {
  @Override
  public String name() {
    return "insert-gradient-comm";
  }

  @Override
  public Programs apply(Programs in) {
    return in.map(p -> {
      List<ProgramInstruction> out = new ArrayList<>();
      for (ProgramInstruction x : p.instructions()) {
        boolean back = x.op() == ProgramOp.B || x.op() == ProgramOp.BW;
        int c = x.chunk();
        if (back && c < in.chunks() - 1 && in.placement().stageOf(c + 1) != p.stage()) {
          out.add(ProgramInstruction.of(p.stage(), ProgramOp.RECV_B, x.microbatch(), c));
        }
        out.add(x);
        if (back && c > 0 && in.placement().stageOf(c - 1) != p.stage()) {
          out.add(ProgramInstruction.of(p.stage(), ProgramOp.SEND_B, x.microbatch(), c));
        }
      }
      return out;
    });
  }
}
