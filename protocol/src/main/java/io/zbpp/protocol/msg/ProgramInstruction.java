package io.zbpp.protocol.msg;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One op of a lowered stage program. Prints with the plan grammar of docs/design.md,
 * {@code <stage><OP><microbatch>[.<chunk>]} (e.g. {@code 2SEND_B5}, {@code 1RECV_F3.5}), the chunk suffix
 * only when the chunk differs from the stage, and {@code <stage>STEP[.<chunk>]} for the optimizer step,
 * which has no microbatch. {@code parse(x.toString())} equals {@code x}.
 *
 * <p>Meaning of the chunk: for compute ops and LOSS/STEP the chunk the pass runs on; {@code SEND_F j.c}
 * sends the output of F(c, j) to the stage of chunk c+1; {@code RECV_F j.c} receives the input of F(c, j);
 * {@code SEND_B j.c} sends the input gradient of B(c, j) to the stage of chunk c−1; {@code RECV_B j.c}
 * receives the output gradient that B(c, j) starts from. So every op names a chunk its own stage holds.
 *
 * @param microbatch the microbatch, or {@link #NO_MICROBATCH} for STEP
 */
public record ProgramInstruction(int stage, ProgramOp op, int microbatch, int chunk) {
  public static final int NO_MICROBATCH = -1;
  private static final Pattern TEXT =
      Pattern.compile("(\\d+)(SEND_PARTIAL|RECV_PARTIAL|SEND_FULL|RECV_FULL|VALIDATE|NORM|SEND_F|RECV_F|SEND_B|RECV_B|LOSS|STEP|BW|F|B|W)"
          + "(\\d*)(?:\\.(\\d+))?");

  public ProgramInstruction {
    Objects.requireNonNull(op, "op");
    if (stage < 0 || chunk < 0) {
      throw new IllegalArgumentException("stage " + stage + " and chunk " + chunk + " must be non-negative");
    }
    if (op.hasMicrobatch() ? microbatch < 0 : microbatch != NO_MICROBATCH) {
      throw new IllegalArgumentException(op + (op.hasMicrobatch()
          ? " needs a microbatch >= 0, got " + microbatch : " takes no microbatch, got " + microbatch));
    }
  }

  public static ProgramInstruction of(int stage, ProgramOp op, int microbatch, int chunk) {
    return new ProgramInstruction(stage, op, microbatch, chunk);
  }

  /** An optimizer op (no microbatch) on one chunk. */
  public static ProgramInstruction optimizer(int stage, ProgramOp op, int chunk) {
    return new ProgramInstruction(stage, op, NO_MICROBATCH, chunk);
  }

  /** The optimizer step of one chunk. */
  public static ProgramInstruction step(int stage, int chunk) {
    return new ProgramInstruction(stage, ProgramOp.STEP, NO_MICROBATCH, chunk);
  }

  @Override
  public String toString() {
    return stage + op.name() + (op.hasMicrobatch() ? String.valueOf(microbatch) : "")
        + (chunk != stage ? "." + chunk : "");
  }

  /** Parses the printed form; rejects text naming the value and the expected grammar. */
  public static ProgramInstruction parse(String text) {
    var m = TEXT.matcher(text.trim());
    if (!m.matches() || ProgramOp.valueOf(m.group(2)).hasMicrobatch() == m.group(3).isEmpty()) {
      throw new IllegalArgumentException("bad program instruction [" + text
          + "]: expected <stage><F|B|W|BW|SEND_F|RECV_F|SEND_B|RECV_B|LOSS><mb>[.<chunk>] or <stage><STEP|NORM|SEND_PARTIAL|RECV_PARTIAL|SEND_FULL|RECV_FULL|VALIDATE>[.<chunk>]");
    }
    int stage = Integer.parseInt(m.group(1));
    ProgramOp op = ProgramOp.valueOf(m.group(2));
    int mb = op.hasMicrobatch() ? Integer.parseInt(m.group(3)) : NO_MICROBATCH;
    int chunk = m.group(4) == null ? stage : Integer.parseInt(m.group(4));
    return new ProgramInstruction(stage, op, mb, chunk);
  }
}
