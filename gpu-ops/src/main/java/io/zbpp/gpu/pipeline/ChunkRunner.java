package io.zbpp.gpu.pipeline;

import java.util.List;

/**
 * The compute of one model chunk (a contiguous run of layers) on one device, as a pipeline stage executes it:
 * F, B and W per microbatch (docs/design.md §1), then an optimizer step at the end of an iteration.
 *
 * <p>Contract the runtime relies on:
 * <ul>
 *   <li>{@code forward} of the first chunk ignores {@code input} (pass null) and reads microbatch
 *       {@code microbatch} of iteration {@code iteration} from the deterministic loader; every other chunk
 *       takes the previous chunk's output. The last chunk computes the loss (scaled by 1/m so that the
 *       accumulated gradient is the mean) and returns null.</li>
 *   <li>{@code backwardInput} (B) of the last chunk takes null and starts from its loss; every other chunk
 *       takes the next chunk's input gradient. It returns the gradient w.r.t. this chunk's input, or null on
 *       the first chunk. It stashes what W needs.</li>
 *   <li>{@code backwardWeight} (W) accumulates parameter gradients from what B stashed, and frees it.
 *       W of one chunk runs in microbatch order, so accumulation is in the same order as a single-device
 *       run: results are bit-identical to the reference trainer on the CPU backend.</li>
 *   <li>{@code step} applies the optimizer to the accumulated gradients and zeroes them.</li>
 * </ul>
 * Not thread-safe: one stage drives it from one thread at a time.
 */
public interface ChunkRunner extends AutoCloseable {
  /** The model chunk index, 0…V−1 in model order. */
  int chunk();

  HostTensor forward(int iteration, int microbatch, HostTensor input);

  HostTensor backwardInput(int microbatch, HostTensor gradOutput);

  void backwardWeight(int microbatch);

  /** The (unscaled) loss of a microbatch, after its forward on the last chunk. */
  double loss(int microbatch);

  /** Steps the optimizer on this chunk's parameters with the gradients accumulated this iteration. */
  void step(int iteration);

  /** Bytes of activations and stashes this chunk holds now (for the memory model: ΔM(F), ΔM(B), ΔM(W)). */
  long bytesHeld();

  /**
   * Σ g² over this chunk's accumulated gradients (double, parameters in model order): its share of the global
   * gradient norm for clipping (docs/design.md §6). NaN or +∞ when a gradient is not finite.
   */
  double gradNormSquared();

  /** Whether every accumulated gradient is finite (the inf/NaN check of docs/design.md §6). */
  default boolean gradsFinite() {
    return Double.isFinite(gradNormSquared());
  }

  /**
   * Post-validation (docs/design.md §6): steps with the accumulated gradients multiplied by {@code gradScale} (the
   * clip coefficient, 1 for none) and keeps them, so that a rejected step can be rolled back and redone.
   * {@code stepScaled(it, 1)} then {@link #zeroGradients} equals {@link #step} bit for bit.
   */
  default void stepScaled(int iteration, float gradScale) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no post-validation step");
  }

  /** Drops the accumulated gradients (after a validated or skipped step). */
  default void zeroGradients() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no post-validation step");
  }

  /** Keeps what undoing the next {@link #stepScaled} needs; returns the bytes that costs (0 for in-place). */
  default long keepForRollback(io.zbpp.gpu.optim.RollbackMode mode) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot roll back");
  }

  /** Undoes the last {@link #stepScaled}; the gradients are as they were before it. */
  default void rollbackStep() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot roll back");
  }

  /** Makes this chunk's accumulated gradients non-finite ({@code --inject-nan}). */
  default void poisonGradients() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot poison its gradients");
  }

  /**
   * Forgets the forwards in flight whose backward has not run (speculative forwards that post-validation
   * redoes after a rollback); the same forwards may then run again and give what a first run gives.
   */
  default void discardForwards() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot discard forwards");
  }

  /** A copy of this chunk's trainable state (between iterations: no gradients accumulated). */
  default ChunkCheckpoint checkpoint() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot take a checkpoint");
  }

  /**
   * Overwrites this chunk's trainable state with {@code state} (taken from a chunk of the same model, index and
   * shape); training then continues as the chunk it was taken from would have.
   *
   * @throws IllegalArgumentException when a tensor count or size differs
   */
  default void restore(ChunkCheckpoint state) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot restore a checkpoint");
  }

  /** This chunk's parameters, in model order, as host copies. */
  List<float[]> parameters();

  @Override
  void close();
}
