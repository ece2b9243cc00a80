package io.zbpp.protocol.msg;

/**
 * The ops of a lowered stage program: the compute passes of the plan (F, B, W, fused BW; docs/design.md §1),
 * communication (SEND/RECV of activations F and input gradients B), the loss read-out on the last chunk and
 * the end-of-iteration optimizer STEP of one chunk, and the optimizer check's reduction and validation (issue 6,
 * docs/post-validation.md). What each op reads, writes, sends and receives: {@link OpFlow}, the one table.
 * The wire maps the ops by name to the {@code ProgramOp} enum of {@code runtime.proto}.
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
  STEP,
  /** The chunk's grad-norm² into the stage's partial optimizer state (after its last W). */
  NORM,
  /** Sends the partial state (every chunk of stages 0…s) to stage s+1. */
  SEND_PARTIAL,
  /** Receives the partial state of stages 0…s−1 from stage s−1. */
  RECV_PARTIAL,
  /** The last stage sends the full state to every other stage. */
  SEND_FULL,
  /** Receives the full state: this iteration's (SYNC) or the previous iteration's (POST_VALIDATION). */
  RECV_FULL,
  /** Validates the previous iteration's eager step of the chunk; rolls back and redoes it when rejected. */
  VALIDATE;

  /** Whether the op runs on the stage's device (a pass of the model). */
  public boolean isCompute() {
    return this == F || this == B || this == W || this == BW;
  }

  /** Whether the op names a microbatch; the optimizer ops cover all of them. */
  public boolean hasMicrobatch() {
    return OpFlow.of(this).unit() == OpFlow.Unit.MICROBATCH;
  }

  /** Whether the op belongs to the optimizer step and its check (docs/design.md §6). */
  public boolean isOptimizer() {
    return OpFlow.of(this).unit() == OpFlow.Unit.CHUNK;
  }
}
