package io.zbpp.protocol.msg;

import java.util.Objects;

/**
 * How a job checks its optimizer step (docs/design.md §6); {@code zbpp train} options map 1:1:
 * {@code --post-validation on|off} → {@link Check#POST_VALIDATION} / {@link Check#SYNC}, {@code --clip-norm C}
 * → {@code clipNorm}, {@code --rollback exact|in-place} → {@link Rollback}, {@code --inject-nan IT:STAGE} →
 * {@code injectNanIteration}, {@code injectNanStage}.
 *
 * @param check NONE: no reduction, every stage steps on its own (the runtime before issue 6); SYNC: an
 *     all-reduce of grad-norm² and the inf flag at the end of every iteration, then clip-or-skip, then the step;
 *     POST_VALIDATION: eager step, pipelined reduction, validation during the next iteration
 * @param clipNorm the global grad-norm threshold; 0 for no clipping (the inf/NaN skip stays)
 * @param rollback how a rejected eager step is undone (POST_VALIDATION only)
 * @param injectNanIteration the iteration whose gradients are poisoned on {@code injectNanStage}; -1 for none
 */
public record OptimizerOptions(Check check, double clipNorm, Rollback rollback, int injectNanIteration,
    int injectNanStage) {
  /** Where the global check sits. */
  public enum Check {
    NONE,
    SYNC,
    POST_VALIDATION
  }

  /** EXACT keeps a copy of parameters and moments; IN_PLACE inverts AdamW (the paper's Algorithm 1). */
  public enum Rollback {
    EXACT,
    IN_PLACE
  }

  public OptimizerOptions {
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(rollback, "rollback");
    if (!(clipNorm >= 0)) {
      throw new IllegalArgumentException("--clip-norm [" + clipNorm + "]: must be a number >= 0 (0: no clipping)");
    }
    if (injectNanIteration >= 0 && check == Check.NONE) {
      throw new IllegalArgumentException("--inject-nan [" + injectNanIteration + ":" + injectNanStage
          + "]: needs the optimizer check (--post-validation on or off)");
    }
  }

  /** No check (the default; the programs have no reduction ops). */
  public static OptimizerOptions none() {
    return new OptimizerOptions(Check.NONE, 0, Rollback.EXACT, -1, -1);
  }

  /** Whether the programs carry the reduction (SYNC or POST_VALIDATION). */
  public boolean checked() {
    return check != Check.NONE;
  }

  /** Whether {@code stage} poisons its gradients in {@code iteration}. */
  public boolean poisons(int iteration, int stage) {
    return iteration == injectNanIteration && stage == injectNanStage;
  }
}
