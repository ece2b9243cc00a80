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
  private RollbackMode kept;
  private float keptScale = 1f;
  private List<float[][]> copy = List.of();

  public AdamW(Device d, List<Param> params, AdamWConfig cfg) {
    this.d = d;
    this.params = List.copyOf(params);
    this.cfg = cfg;
  }

  /** The parameters, both moments and the step counter t, as host copies. */
  public io.zbpp.gpu.pipeline.ChunkCheckpoint checkpoint() {
    List<float[]> values = new java.util.ArrayList<>();
    List<float[]> m = new java.util.ArrayList<>();
    List<float[]> v = new java.util.ArrayList<>();
    for (Param p : params) {
      values.add(d.download(p.value()));
      m.add(d.download(p.m()));
      v.add(d.download(p.v()));
    }
    return new io.zbpp.gpu.pipeline.ChunkCheckpoint(t, values, m, v);
  }

  /** Writes the parameters, both moments and t of a {@link #checkpoint()} of the same shapes. */
  public void restore(io.zbpp.gpu.pipeline.ChunkCheckpoint c) {
    if (c.parameters().size() != params.size() || c.firstMoments().size() != params.size()
        || c.secondMoments().size() != params.size()) {
      throw new IllegalArgumentException("checkpoint of " + c.parameters().size() + " tensors for a chunk of "
          + params.size());
    }
    for (int i = 0; i < params.size(); i++) {
      Param p = params.get(i);
      for (float[] t : List.of(c.parameters().get(i), c.firstMoments().get(i), c.secondMoments().get(i))) {
        if (t.length != p.size()) {
          throw new IllegalArgumentException("checkpoint tensor " + p.name() + " [" + t.length
              + " values]: expected " + p.size());
        }
      }
      d.write(p.value(), c.parameters().get(i));
      d.write(p.m(), c.firstMoments().get(i));
      d.write(p.v(), c.secondMoments().get(i));
    }
    t = c.steps();
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

  /**
   * One update with step counter t+1 on the gradients multiplied by {@code gradScale} (the clip
   * coefficient; 1 leaves them untouched, so {@code update(1); zeroGradients()} is bit-identical to
   * {@link #step}). Keeps the gradients (the unscaled ones when the scale is 1) for a redo after a rollback.
   */
  public void update(float gradScale) {
    if (gradScale != 1f) {
      for (Param p : params) {
        float[] g = d.download(p.grad());
        for (int i = 0; i < g.length; i++) {
          g[i] *= gradScale;
        }
        d.write(p.grad(), g);
      }
    }
    keptScale = gradScale;
    t++;
    for (Param p : params) {
      float wd = p.decay() ? cfg.weightDecay() : 0f;
      d.adamw(p.value(), p.grad(), p.m(), p.v(), p.size(), cfg.lr(), cfg.beta1(), cfg.beta2(), cfg.eps(), wd, t);
    }
  }

  public void zeroGradients() {
    for (Param p : params) {
      d.zero(p.grad());
    }
  }

  /**
   * Keeps what {@link #rollback} needs to undo the next {@link #update}: EXACT copies parameters and both
   * moments (host memory), IN_PLACE keeps nothing. Returns the bytes kept.
   */
  public long keepForRollback(RollbackMode mode) {
    kept = mode;
    long bytes = 0;
    if (mode == RollbackMode.EXACT) {
      List<float[][]> c = new java.util.ArrayList<>();
      for (Param p : params) {
        c.add(new float[][] {d.download(p.value()), d.download(p.m()), d.download(p.v())});
        bytes += 12L * p.size();
      }
      copy = c;
    } else {
      copy = List.of();
    }
    return bytes;
  }

  /**
   * Undoes the last {@link #update} (after {@link #keepForRollback}); the gradients must be the ones it used.
   * IN_PLACE is the paper's Algorithm 1: m̂ = m/(1−β1^t), v̂ = v/(1−β2^t); θ ← (θ + lr·m̂/(√v̂+eps))/(1−lr·wd);
   * m ← (m − (1−β1)g)/β1; v ← max(0, (v − (1−β2)g²)/β2); t ← t−1. The gradients are unscaled again.
   */
  public void rollback() {
    if (kept == null) {
      throw new IllegalStateException("rollback without keepForRollback before the step");
    }
    for (int k = 0; k < params.size(); k++) {
      Param p = params.get(k);
      if (kept == RollbackMode.EXACT) {
        d.write(p.value(), copy.get(k)[0]);
        d.write(p.m(), copy.get(k)[1]);
        d.write(p.v(), copy.get(k)[2]);
      } else {
        invert(p);
      }
      if (keptScale != 1f) {
        float[] g = d.download(p.grad());
        for (int i = 0; i < g.length; i++) {
          g[i] /= keptScale;
        }
        d.write(p.grad(), g);
      }
    }
    t--;
    kept = null;
    copy = List.of();
  }

  private void invert(Param p) {
    float wd = p.decay() ? cfg.weightDecay() : 0f;
    float b1 = cfg.beta1();
    float b2 = cfg.beta2();
    float c1 = 1f - (float) Math.pow(b1, t);
    float c2 = 1f - (float) Math.pow(b2, t);
    float[] th = d.download(p.value());
    float[] g = d.download(p.grad());
    float[] m = d.download(p.m());
    float[] v = d.download(p.v());
    for (int i = 0; i < th.length; i++) {
      float mhat = m[i] / c1;
      float vhat = v[i] / c2;
      th[i] = (th[i] + cfg.lr() * mhat / ((float) Math.sqrt(vhat) + cfg.eps())) / (1f - cfg.lr() * wd);
      m[i] = (m[i] - (1f - b1) * g[i]) / b1;
      v[i] = Math.max(0f, (v[i] - (1f - b2) * g[i] * g[i]) / b2);
    }
    d.write(p.value(), th);
    d.write(p.m(), m);
    d.write(p.v(), v);
  }

  /** Makes the first gradient element NaN (fault injection for tests and demonstrations). */
  public void poisonGradients() {
    Param p = params.get(0);
    float[] g = d.download(p.grad());
    g[0] = Float.NaN;
    d.write(p.grad(), g);
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
