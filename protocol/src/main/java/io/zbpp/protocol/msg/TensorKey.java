package io.zbpp.protocol.msg;

import java.util.Objects;

/**
 * Names one tensor of a job: together with the {@link JobEpoch} of its frame, (iteration, kind, microbatch,
 * chunk) identifies an activation or gradient; parameters use {@code index} and microbatch 0.
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

  public static TensorKey parameter(int chunk, int index) {
    return new TensorKey(0, TensorKind.PARAMETER, 0, chunk, index);
  }
}
