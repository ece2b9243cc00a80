package io.zbpp.gpu.optim;

/**
 * The one definition of the global optimizer check (docs/design.md §6), shared by the reference trainer and the
 * pipeline runtime so that both decide alike bit for bit:
 * <ul>
 *   <li>global grad-norm² = Σ over chunks <em>in model order</em> of each chunk's {@code gradNormSquared()}
 *       (double; a fixed order, so any pipeline that carries the per-chunk values sums the same bits);</li>
 *   <li>any non-finite value (NaN or ±∞) → {@link Verdict#SKIP}: no chunk steps this iteration;</li>
 *   <li>clip coefficient = min(1, clipNorm / (√norm² + 1e-6)), computed in double and rounded to float once;
 *       below 1 → {@link Verdict#CLIP}: every gradient is multiplied by it (float) before the step; clipNorm
 *       ≤ 0 disables clipping.</li>
 * </ul>
 */
public final class GradientClipping {
  /** Added to the norm before dividing, as PyTorch's clip_grad_norm_. */
  public static final double EPS = 1e-6;

  private GradientClipping() {}

  /** What the optimizer does with an iteration's gradients. */
  public enum Verdict {
    STEP,
    CLIP,
    SKIP
  }

  /** Σ of the per-chunk values in the order given (callers pass model order). */
  public static double globalNormSquared(double[] perChunkInModelOrder) {
    double s = 0;
    for (double x : perChunkInModelOrder) {
      s += x;
    }
    return s;
  }

  /** The verdict for a global norm² (or a partial one: partial ≤ global, so CLIP and SKIP are certain). */
  public static Verdict verdict(double normSquared, double clipNorm) {
    if (!Double.isFinite(normSquared)) {
      return Verdict.SKIP;
    }
    return coefficient(normSquared, clipNorm) < 1f ? Verdict.CLIP : Verdict.STEP;
  }

  /** min(1, clipNorm / (√norm² + 1e-6)) as float; 1 when clipNorm ≤ 0 or the norm is not finite. */
  public static float coefficient(double normSquared, double clipNorm) {
    if (clipNorm <= 0 || !Double.isFinite(normSquared)) {
      return 1f;
    }
    return (float) Math.min(1.0, clipNorm / (Math.sqrt(normSquared) + EPS));
  }
}
