package io.zbpp.compile;

import io.zbpp.protocol.msg.ProgramInstruction;
import io.zbpp.protocol.msg.ProgramOp;
import java.util.ArrayList;
import java.util.List;

/**
 * Adds the activation traffic: {@code SEND_F j.c} right after F(c, j) when chunk c+1 lives on another stage,
 * and {@code RECV_F j.c} right before F(c, j) when chunk c−1 does. Activations between two chunks of one
 * stage (ZB-V's turn at the last stage) stay local and get no ops.
 */
public final class InsertActivationComm implements LoweringPass {
  @Override
  public String name() {
    return "insert-activation-comm";
  }

  @Override
  public Programs apply(Programs in) {
    return in.map(p -> {
      List<ProgramInstruction> out = new ArrayList<>();
      for (ProgramInstruction x : p.instructions()) {
        boolean f = x.op() == ProgramOp.F;
        int c = x.chunk();
        if (f && c > 0 && in.placement().stageOf(c - 1) != p.stage()) {
          out.add(ProgramInstruction.of(p.stage(), ProgramOp.RECV_F, x.microbatch(), c));
        }
        out.add(x);
        if (f && c < in.chunks() - 1 && in.placement().stageOf(c + 1) != p.stage()) {
          out.add(ProgramInstruction.of(p.stage(), ProgramOp.SEND_F, x.microbatch(), c));
        }
      }
      return out;
    });
  }
}
