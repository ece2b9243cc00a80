package io.zbpp.gpu.optim;

/**
 * AdamW hyper-parameters. Weight decay is decoupled (θ ← θ·(1 − lr·wd) − lr·m̂/(√v̂+eps)) and applies only to
 * parameters marked {@code decay} (matrices and embeddings).
 */
public record AdamWConfig(float lr, float beta1, float beta2, float eps, float weightDecay) {
  public AdamWConfig {
    if (!(lr > 0)) {
      throw new IllegalArgumentException("lr [" + lr + "]: must be positive");
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("betas [" + beta1 + ", " + beta2 + "]: must be in [0, 1)");
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("weightDecay [" + weightDecay + "]: must be at least 0");
    }
  }

  /** GPT-style defaults: betas (0.9, 0.95), eps 1e-8, weight decay 0.1. */
  public static AdamWConfig of(float lr) {
    return new AdamWConfig(lr, 0.9f, 0.95f, 1e-8f, 0.1f);
  }
}
