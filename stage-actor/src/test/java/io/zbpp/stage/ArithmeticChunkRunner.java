package io.zbpp.stage;

import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.gpu.pipeline.HostTensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fake model chunk with real, order-sensitive float32 arithmetic: y = tanh(W·x + b + noise), where the
 * noise comes from a per-chunk counter of forward calls (like a dropout stream), the loss is ½Σy² on the last
 * chunk, and W accumulates weight gradients as g ← ¾·g + ∂ so that their order matters bit-wise. A forward
 * out of microbatch order, a W out of order or missing (step throws while W's are pending) changes the
 * parameters or fails. Follows the {@link ChunkRunner} contract: the first chunk reads its own data, the last
 * returns null from forward and starts B from its loss scaled by 1/m.
 */
public final class ArithmeticChunkRunner implements ChunkRunner {
  static final int D = 4;
  private static final float DECAY = 0.75f;
  private static final float LR = 0.05f;
  private final int chunk;
  private final int chunks;
  private final int microbatches;
  private final long seed;
  private final float[] w = new float[D * D];
  private final float[] b = new float[D];
  private final float[] gw = new float[D * D];
  private final float[] gb = new float[D];
  private final Map<Integer, float[]> x = new HashMap<>();
  private final Map<Integer, float[]> y = new HashMap<>();
  private final Map<Integer, float[]> gz = new HashMap<>();
  private final Map<Integer, Double> loss = new HashMap<>();
  private int forwards;
  private float scale = 1f;
  private io.zbpp.gpu.optim.RollbackMode kept;
  private float[] keptW;
  private float[] keptB;
  private int rollbacks;

  public ArithmeticChunkRunner(int chunk, int chunks, int microbatches, long seed) {
    this.chunk = chunk;
    this.chunks = chunks;
    this.microbatches = microbatches;
    this.seed = seed;
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) Math.sin(seed + 13 * chunk + i) * 0.5f;
    }
    for (int i = 0; i < D; i++) {
      b[i] = (float) Math.cos(seed + 7 * chunk + i) * 0.1f;
    }
  }

  /** The data of microbatch j of iteration it: what chunk 0 reads. */
  static float[] data(long seed, int it, int j) {
    float[] v = new float[D];
    for (int k = 0; k < D; k++) {
      v[k] = (float) Math.sin(seed * 31 + it * 7 + j * 3 + k);
    }
    return v;
  }

  @Override
  public int chunk() {
    return chunk;
  }

  @Override
  public HostTensor forward(int iteration, int microbatch, HostTensor input) {
    float[] in = chunk == 0 ? data(seed, iteration, microbatch) : input.data().clone();
    float noise = 1e-3f * (float) Math.sin(++forwards);
    float[] out = new float[D];
    for (int k = 0; k < D; k++) {
      float s = b[k] + noise;
      for (int l = 0; l < D; l++) {
        s += w[k * D + l] * in[l];
      }
      out[k] = (float) Math.tanh(s);
    }
    x.put(microbatch, in);
    y.put(microbatch, out);
    if (chunk < chunks - 1) {
      return new HostTensor(new int[] {D}, out.clone());
    }
    double l = 0;
    for (float v : out) {
      l += 0.5 * v * v;
    }
    loss.put(microbatch, l);
    return null;
  }

  @Override
  public HostTensor backwardInput(int microbatch, HostTensor gradOutput) {
    float[] out = y.remove(microbatch);
    if (out == null) {
      throw new IllegalStateException("B" + microbatch + " on chunk " + chunk + " before its F");
    }
    float[] gy = new float[D];
    for (int k = 0; k < D; k++) {
      gy[k] = chunk == chunks - 1 ? out[k] / microbatches : gradOutput.data()[k];
    }
    float[] g = new float[D];
    for (int k = 0; k < D; k++) {
      g[k] = gy[k] * (1 - out[k] * out[k]);
    }
    gz.put(microbatch, g);
    if (chunk == 0) {
      return null;
    }
    float[] gx = new float[D];
    for (int l = 0; l < D; l++) {
      for (int k = 0; k < D; k++) {
        gx[l] += w[k * D + l] * g[k];
      }
    }
    return new HostTensor(new int[] {D}, gx);
  }

  @Override
  public void backwardWeight(int microbatch) {
    float[] g = gz.remove(microbatch);
    float[] in = x.remove(microbatch);
    if (g == null || in == null) {
      throw new IllegalStateException("W" + microbatch + " on chunk " + chunk + " before its B");
    }
    for (int k = 0; k < D; k++) {
      for (int l = 0; l < D; l++) {
        gw[k * D + l] = gw[k * D + l] * DECAY + g[k] * in[l];
      }
      gb[k] = gb[k] * DECAY + g[k];
    }
  }

  @Override
  public double loss(int microbatch) {
    return loss.get(microbatch);
  }

  @Override
  public void step(int iteration) {
    if (!gz.isEmpty() || !x.isEmpty()) {
      throw new IllegalStateException("step on chunk " + chunk + " with passes pending: B/W of " + x.keySet());
    }
    for (int i = 0; i < w.length; i++) {
      w[i] -= LR * gw[i];
      gw[i] = 0;
    }
    for (int i = 0; i < D; i++) {
      b[i] -= LR * gb[i];
      gb[i] = 0;
    }
    loss.clear();
  }

  /** Steps with g·scale and keeps g (bit-identical to {@link #step} when scale is 1 and then zeroed). */
  @Override
  public void stepScaled(int iteration, float gradScale) {
    if (!gz.isEmpty() || !x.isEmpty()) {
      throw new IllegalStateException("step on chunk " + chunk + " with passes pending: B/W of " + x.keySet());
    }
    for (int i = 0; i < w.length; i++) {
      w[i] -= LR * (gw[i] * gradScale);
    }
    for (int i = 0; i < D; i++) {
      b[i] -= LR * (gb[i] * gradScale);
    }
    scale = gradScale;
    loss.clear();
  }

  @Override
  public void zeroGradients() {
    java.util.Arrays.fill(gw, 0f);
    java.util.Arrays.fill(gb, 0f);
  }

  @Override
  public long keepForRollback(io.zbpp.gpu.optim.RollbackMode mode) {
    kept = mode;
    if (mode == io.zbpp.gpu.optim.RollbackMode.EXACT) {
      keptW = w.clone();
      keptB = b.clone();
      return 4L * (w.length + b.length);
    }
    return 0;
  }

  /** Exact: restores the copy; in place: adds the update back (float rounding: not bit-exact). */
  @Override
  public void rollbackStep() {
    if (kept == io.zbpp.gpu.optim.RollbackMode.EXACT) {
      System.arraycopy(keptW, 0, w, 0, w.length);
      System.arraycopy(keptB, 0, b, 0, b.length);
    } else {
      for (int i = 0; i < w.length; i++) {
        w[i] += LR * (gw[i] * scale);
      }
      for (int i = 0; i < D; i++) {
        b[i] += LR * (gb[i] * scale);
      }
    }
    rollbacks++;
  }

  /** The forward counter rewinds too, so that redone forwards draw the same noise as first ones. */
  @Override
  public void discardForwards() {
    forwards -= y.size();
    x.keySet().retainAll(gz.keySet());
    y.clear();
    loss.clear();
  }

  @Override
  public void poisonGradients() {
    gw[0] = Float.NaN;
  }

  /** Rollbacks so far (tests). */
  public int rollbacks() {
    return rollbacks;
  }

  @Override
  public double gradNormSquared() {
    double sum = 0;
    for (float g : gw) {
      sum += (double) g * g;
    }
    for (float g : gb) {
      sum += (double) g * g;
    }
    return sum;
  }

  @Override
  public long bytesHeld() {
    return 4L * D * (x.size() + y.size() + gz.size());
  }

  @Override
  public List<float[]> parameters() {
    return List.of(w.clone(), b.clone());
  }

  @Override
  public void close() {}
}
