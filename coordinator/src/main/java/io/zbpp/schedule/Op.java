package io.zbpp.schedule;

/**
 * The passes of a compute plan (docs/design.md §1).
 *
 * <p>{@code F} is the forward pass, {@code B} the backward pass for the stage input only, {@code W} the
 * backward pass for the parameters only, and {@code BW} a fused backward (B and W in one pass) as used by the
 * schedules that do not split the backward (GPipe, 1F1B, interleaved 1F1B): its gradient leaves the stage
 * only when both parts are done.
 */
public enum Op {
  F,
  B,
  W,
  BW;

  /** Whether this pass produces the input gradient that the previous chunk's backward waits for. */
  public boolean isBackward() {
    return this == B || this == BW;
  }
}
