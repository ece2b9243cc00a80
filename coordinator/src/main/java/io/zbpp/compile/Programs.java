package io.zbpp.compile;

import io.zbpp.protocol.msg.Dataflow;
import io.zbpp.protocol.msg.ProgramInstruction;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.StageProgram;
import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Placement;
import io.zbpp.schedule.Plan;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-stage programs of one iteration as the lowering passes see them: immutable; a pass returns a new
 * value. Prints one line per stage, {@code <stage>: <instr> ...} with full instruction tokens.
 *
 * @param schedule the plan's schedule name
 * @param microbatches m
 * @param placement chunk → stage
 * @param stages one program per stage, indexed by stage
 */
public record Programs(String schedule, int microbatches, Placement placement, List<StageProgram> stages) {
  public Programs {
    stages = List.copyOf(stages);
    if (stages.size() != placement.stages()) {
      throw new IllegalArgumentException(stages.size() + " programs for " + placement.stages() + " stages");
    }
    for (int s = 0; s < stages.size(); s++) {
      if (stages.get(s).stage() != s) {
        throw new IllegalArgumentException("program of stage " + stages.get(s).stage() + " at index " + s);
      }
    }
  }

  /** The compute passes of a plan as programs, before any lowering pass: F, B, W, BW map one to one. */
  public static Programs of(Plan plan) {
    List<StageProgram> out = new ArrayList<>();
    for (int s = 0; s < plan.stageCount(); s++) {
      List<ProgramInstruction> ins = new ArrayList<>();
      for (Instruction in : plan.stage(s)) {
        ins.add(ProgramInstruction.of(s, computeOp(in.op()), in.microbatch(), in.chunk()));
      }
      out.add(new StageProgram(s, ins));
    }
    return new Programs(plan.schedule(), plan.microbatches(), plan.placement(), out);
  }

  private static ProgramOp computeOp(io.zbpp.schedule.Op op) {
    return switch (op) {
      case F -> ProgramOp.F;
      case B -> ProgramOp.B;
      case W -> ProgramOp.W;
      case BW -> ProgramOp.BW;
    };
  }

  public StageProgram stage(int s) {
    return stages.get(s);
  }

  /** The number of model chunks V. */
  public int chunks() {
    return placement.chunks();
  }

  /** The dataflow table under this placement: tensor keys, peers, the transfers a pass needs. */
  public Dataflow dataflow() {
    return new Dataflow(placement.chunkStage());
  }

  /** A copy with every stage's program rewritten by {@code rewrite}. */
  Programs map(java.util.function.Function<StageProgram, List<ProgramInstruction>> rewrite) {
    List<StageProgram> out = new ArrayList<>();
    for (StageProgram p : stages) {
      out.add(new StageProgram(p.stage(), rewrite.apply(p)));
    }
    return new Programs(schedule, microbatches, placement, out);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (StageProgram p : stages) {
      sb.append(p).append('\n');
    }
    return sb.toString();
  }
}
