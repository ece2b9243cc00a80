package io.zbpp.schedule;

/**
 * One pass of one microbatch on one model chunk, placed on a stage.
 *
 * <p>Prints as {@code <stage><op><microbatch>} (e.g. {@code 3F7}), with {@code .<chunk>} appended when the
 * chunk is not the stage index (multi-chunk plans), and parses back exactly: {@code parse(x.toString())}
 * equals {@code x}.
 *
 * @param stage the pipeline stage (0-based) that executes the pass
 * @param op the pass
 * @param microbatch the microbatch (0-based)
 * @param chunk the model chunk, 0…V−1 in model order; equals {@code stage} in single-chunk plans
 */
public record Instruction(int stage, Op op, int microbatch, int chunk) {
  public Instruction {
    if (stage < 0 || microbatch < 0 || chunk < 0) {
      throw new IllegalArgumentException(
          "instruction indices must be non-negative: stage " + stage + ", microbatch " + microbatch
              + ", chunk " + chunk);
    }
    java.util.Objects.requireNonNull(op, "op");
  }

  /** A single-chunk instruction: the chunk is the stage. */
  public static Instruction of(int stage, Op op, int microbatch) {
    return new Instruction(stage, op, microbatch, stage);
  }

  /** The plan-file token of this pass without its stage: {@code F7}, {@code BW2.5}. */
  public String token(boolean withChunk) {
    return op.name() + microbatch + (withChunk ? "." + chunk : "");
  }

  @Override
  public String toString() {
    return stage + token(chunk != stage);
  }

  /**
   * Parses the printed form. A token without a stage prefix is rejected here; plan files carry the stage
   * in the line header and use {@link PlanText}.
   */
  public static Instruction parse(String text) {
    var m = PlanText.INSTRUCTION.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("bad instruction [" + text + "]: expected <stage><F|B|W|BW><mb>[.<chunk>]");
    }
    int stage = Integer.parseInt(m.group(1));
    int mb = Integer.parseInt(m.group(3));
    int chunk = m.group(4) == null ? stage : Integer.parseInt(m.group(4));
    return new Instruction(stage, Op.valueOf(m.group(2)), mb, chunk);
  }
}
