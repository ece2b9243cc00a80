package io.zbpp.compile;

import io.zbpp.protocol.msg.ProgramInstruction;
import java.util.ArrayList;
import java.util.List;

/**
 * Ends every stage's program with one optimizer {@code STEP} per chunk it holds, in chunk order: the step of
 * a chunk may run once all of its W are done; a stage needs no barrier with the others, because no later
 * pass of this iteration reads its parameters (synchronous semantics, docs/design.md).
 */
public final class InsertOptimizerStep implements LoweringPass {
  @Override
  public String name() {
    return "insert-optimizer-step";
  }

  @Override
  public Programs apply(Programs in) {
    return in.map(p -> {
      List<ProgramInstruction> out = new ArrayList<>(p.instructions());
      for (int c = 0; c < in.chunks(); c++) {
        if (in.placement().stageOf(c) == p.stage()) {
          out.add(ProgramInstruction.step(p.stage(), c));
        }
      }
      return out;
    });
  }
}
