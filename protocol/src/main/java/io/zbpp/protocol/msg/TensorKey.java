package io.zbpp.protocol.msg;

import java.util.Objects;

/**
 * Names one tensor of a job: together with the {@link JobEpoch} of its frame, (iteration, kind, microbatch,
 * chunk) identifies an activation or gradient; parameters use {@code index} and microbatch 0. For activations
 * and gradients {@code index} is the attempt: 0, or 1 when post-validation rejected the previous iteration's
 * step and the stages redo this iteration (tensors of the speculative attempt are then dropped).
 */
public record TensorKey(int iteration, TensorKind kind, int microbatch, int chunk, int index) {
  public TensorKey {
    Objects.requireNonNull(kind, "kind");
  }

  public static TensorKey activation(int iteration, int microbatch, int chunk) {
    return new TensorKey(iteration, TensorKind.ACTIVATION, microbatch, chunk, 0);
  }

  public static TensorKey gradient(int iteration, int microbatch, int chunk) {
    return new TensorKey(iteration, TensorKind.GRADIENT, microbatch, chunk, 0);
  }

  /** The same tensor in attempt {@code attempt} of its iteration. */
  public TensorKey inAttempt(int attempt) {
    return new TensorKey(iteration, kind, microbatch, chunk, attempt);
  }

  /** The attempt of an activation or gradient. */
  public int attempt() {
    return index;
  }

  public static TensorKey parameter(int chunk, int index) {
    return new TensorKey(0, TensorKind.PARAMETER, 0, chunk, index);
  }
}
