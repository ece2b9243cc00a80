package io.zbpp.gpu.optim;

import io.zbpp.gpu.device.Device;
import io.zbpp.gpu.nn.Param;
import java.util.List;

/**
 * AdamW over the parameters of one chunk, with gradient accumulation: W passes add into each parameter's
 * gradient over the microbatches of an iteration; {@link #step} updates and zeroes the gradients. The
 * objective's 1/m is applied at the loss, so the accumulated gradient is already the mean.
 */
public final class AdamW {
  private final Device d;
  private final List<Param> params;
  private final AdamWConfig cfg;
  private int t;

  public AdamW(Device d, List<Param> params, AdamWConfig cfg) {
    this.d = d;
    this.params = List.copyOf(params);
    this.cfg = cfg;
  }

  /** One update with step counter t+1, then zeroes the gradients. */
  public void step() {
    t++;
    for (Param p : params) {
      float wd = p.decay() ? cfg.weightDecay() : 0f;
      d.adamw(p.value(), p.grad(), p.m(), p.v(), p.size(), cfg.lr(), cfg.beta1(), cfg.beta2(), cfg.eps(), wd, t);
      d.zero(p.grad());
    }
  }

  /** Steps taken so far. */
  public int steps() {
    return t;
  }

  /** Σ g² over all gradients, in parameter order. */
  public double gradNormSquared() {
    double s = 0;
    for (Param p : params) {
      s += d.sumSquares(p.grad());
    }
    return s;
  }
}
