package io.zbpp.gpu.optim;

/**
 * How a stage undoes an eager optimizer step that post-validation rejects (docs/design.md §6).
 * {@code EXACT} keeps a copy of parameters and both moments before the step (3 floats per parameter) and
 * restores it bit for bit; {@code IN_PLACE} keeps nothing and inverts AdamW arithmetically (the paper's
 * Algorithm 1), which is not bit-exact (float rounding of the inverse).
 */
public enum RollbackMode {
  EXACT,
  IN_PLACE
}
