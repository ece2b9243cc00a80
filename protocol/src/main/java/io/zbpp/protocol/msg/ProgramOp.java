package io.zbpp.protocol.msg;

/**
 * The ops of a lowered stage program: the compute passes of the plan (F, B, W, fused BW; PAPER.md §1),
 * communication (SEND/RECV of activations F and input gradients B), the loss read-out on the last chunk and
 * the end-of-iteration optimizer STEP of one chunk. The order matches the {@code ProgramOp} enum of
 * {@code runtime.proto}.
 */
public enum ProgramOp {
  F,
  B,
  W,
  BW,
  SEND_F,
  RECV_F,
  SEND_B,
  RECV_B,
  LOSS,
  STEP;

  /** Whether the op runs on the stage's device (a pass of the model). */
  public boolean isCompute() {
    return this == F || this == B || this == W || this == BW;
  }

  /** Whether the op names a microbatch; only STEP covers all of them. */
  public boolean hasMicrobatch() {
    return this != STEP;
  }
}
