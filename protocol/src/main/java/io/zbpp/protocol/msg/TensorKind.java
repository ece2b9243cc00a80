package io.zbpp.protocol.msg;

/** What a tensor frame carries; the wire maps it by name to {@code TensorKind} of {@code runtime.proto}. */
public enum TensorKind {
  /** The input of F on the key's chunk (the previous chunk's output). */
  ACTIVATION,
  /** The output gradient that B on the key's chunk starts from (the next chunk's input gradient). */
  GRADIENT,
  /** Parameter number {@code index} of the key's chunk, in model order. */
  PARAMETER
}
