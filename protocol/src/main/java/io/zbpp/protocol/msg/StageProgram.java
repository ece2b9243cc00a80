package io.zbpp.protocol.msg;

import java.util.ArrayList;
import java.util.List;

/**
 * The lowered program of one stage for one iteration, in execution order. Every instruction sits on this
 * stage. Prints as {@code <stage>: <instr> <instr> ...} and parses back.
 */
public record StageProgram(int stage, List<ProgramInstruction> instructions) {
  public StageProgram {
    instructions = List.copyOf(instructions);
    for (ProgramInstruction in : instructions) {
      if (in.stage() != stage) {
        throw new IllegalArgumentException("instruction " + in + " listed in the program of stage " + stage);
      }
    }
  }

  public int size() {
    return instructions.size();
  }

  public ProgramInstruction get(int k) {
    return instructions.get(k);
  }

  /** The chunks this program runs passes on, ascending. */
  public List<Integer> chunks() {
    return instructions.stream().map(ProgramInstruction::chunk).distinct().sorted().toList();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder().append(stage).append(':');
    for (ProgramInstruction in : instructions) {
      sb.append(' ').append(in);
    }
    return sb.toString();
  }

  /**
   * The program one op per line, numbered, with {@code <-- failed} after op {@code failedAt} (none when it is
   * out of range): what a stage logs and reports when an op throws, so that the failure reads in context.
   */
  public String listing(int failedAt) {
    return listing(failedAt, "failed");
  }

  /** As {@link #listing(int)}, the op at {@code at} marked {@code <-- mark}. */
  public String listing(int at, String mark) {
    StringBuilder sb = new StringBuilder("stage ").append(stage).append(" program (").append(size())
        .append(" ops):");
    for (int k = 0; k < size(); k++) {
      sb.append(String.format(java.util.Locale.ROOT, "%n%5d  %s", k, get(k)));
      if (k == at) {
        sb.append("  <-- ").append(mark);
      }
    }
    return sb.toString();
  }

  /** Parses {@link #toString()}. */
  public static StageProgram parse(String line) {
    int colon = line.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("bad program line [" + line + "]: expected <stage>: <instructions>");
    }
    int stage = Integer.parseInt(line.substring(0, colon).strip());
    List<ProgramInstruction> ins = new ArrayList<>();
    for (String tok : line.substring(colon + 1).strip().split("\\s+")) {
      if (!tok.isEmpty()) {
        ins.add(ProgramInstruction.parse(tok));
      }
    }
    return new StageProgram(stage, ins);
  }
}
