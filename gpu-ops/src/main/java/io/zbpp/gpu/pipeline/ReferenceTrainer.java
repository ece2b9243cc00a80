package io.zbpp.gpu.pipeline;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import io.zbpp.gpu.optim.GradientClipping;

/**
 * Single-device training, the oracle the pipeline runtime is compared to bit for bit: per iteration, for each
 * microbatch in order, F through all chunks, then B and W through all chunks in reverse; after the last
 * microbatch, every chunk steps. Since each chunk's W runs in microbatch order, any schedule that also runs W
 * in microbatch order accumulates the same gradients in the same order (CPU backend: identical bits).
 *
 * <p>With {@link Options} it also applies the global check of docs/design.md §6 exactly as {@link GradientClipping}
 * defines it: after the last microbatch, optionally poison the gradients of some chunks (the chunks one
 * pipeline stage would hold), sum the per-chunk grad-norm² in model order, then skip (non-finite), clip, or
 * step every chunk. This is the oracle of the runtime's post-validation.
 */
public final class ReferenceTrainer implements AutoCloseable {
  private final List<ChunkRunner> chunks;
  private final int microbatches;
  private final Options options;
  private final List<double[]> losses = new ArrayList<>();
  private int skipped;
  private int clipped;

  /**
   * The optimizer check of the reference run.
   *
   * @param checked whether to reduce the grad norm and skip/clip at all (false: plain steps, as before)
   * @param clipNorm the global-norm clip threshold; 0 or less for none
   * @param injectNanIteration the iteration whose gradients are poisoned, or -1 for none
   * @param injectNanChunks the chunks whose gradients are poisoned then (those of one pipeline stage)
   */
  public record Options(boolean checked, double clipNorm, int injectNanIteration, Set<Integer> injectNanChunks) {
    public Options {
      injectNanChunks = Set.copyOf(injectNanChunks);
    }

    /** No check: every iteration steps (the behaviour without options). */
    public static Options none() {
      return new Options(false, 0, -1, Set.of());
    }

    /** The check with clipping at {@code clipNorm} (0: only the inf/NaN skip). */
    public static Options clip(double clipNorm) {
      return new Options(true, clipNorm, -1, Set.of());
    }

    /** The same options, poisoning {@code chunks}' gradients in {@code iteration}. */
    public Options injectNan(int iteration, Set<Integer> chunks) {
      return new Options(true, clipNorm, iteration, chunks);
    }
  }

  public ReferenceTrainer(RunnerSpec spec) {
    this(spec, Options.none());
  }

  public ReferenceTrainer(RunnerSpec spec, Options options) {
    this(ChunkRunnerFactory.createAll(spec), spec.microbatches(), options);
  }

  /** A reference run over given chunks (fakes in tests), in model order. */
  public ReferenceTrainer(List<ChunkRunner> chunks, int microbatches, Options options) {
    this.chunks = List.copyOf(chunks);
    this.microbatches = microbatches;
    this.options = options;
  }

  /** Runs the next iteration; returns its per-microbatch losses (unscaled means). */
  public double[] runIteration() {
    int k = losses.size();
    int m = microbatches;
    int v = chunks.size();
    double[] l = new double[m];
    for (int j = 0; j < m; j++) {
      HostTensor x = null;
      for (ChunkRunner c : chunks) {
        x = c.forward(k, j, x);
      }
      l[j] = chunks.get(v - 1).loss(j);
      HostTensor g = null;
      for (int c = v - 1; c >= 0; c--) {
        g = chunks.get(c).backwardInput(j, g);
        chunks.get(c).backwardWeight(j);
      }
    }
    optimizerStep(k);
    losses.add(l);
    return l.clone();
  }

  private void optimizerStep(int k) {
    if (k == options.injectNanIteration()) {
      options.injectNanChunks().forEach(c -> chunks.get(c).poisonGradients());
    }
    if (!options.checked()) {
      chunks.forEach(c -> c.step(k));
      return;
    }
    double[] perChunk = chunks.stream().mapToDouble(ChunkRunner::gradNormSquared).toArray();
    double norm2 = GradientClipping.globalNormSquared(perChunk);
    switch (GradientClipping.verdict(norm2, options.clipNorm())) {
      case SKIP -> {
        skipped++;
        chunks.forEach(ChunkRunner::zeroGradients);
      }
      case CLIP -> {
        clipped++;
        float coef = GradientClipping.coefficient(norm2, options.clipNorm());
        chunks.forEach(c -> c.stepScaled(k, coef));
        chunks.forEach(ChunkRunner::zeroGradients);
      }
      case STEP -> chunks.forEach(c -> c.step(k));
    }
  }

  /** Iterations whose step was skipped (non-finite gradients). */
  public int skippedSteps() {
    return skipped;
  }

  /** Iterations whose gradients were clipped. */
  public int clippedSteps() {
    return clipped;
  }

  /** Runs {@code iterations} more iterations; returns the mean loss of each. */
  public double[] run(int iterations) {
    double[] mean = new double[iterations];
    for (int i = 0; i < iterations; i++) {
      double[] l = runIteration();
      double s = 0;
      for (double x : l) {
        s += x;
      }
      mean[i] = s / l.length;
    }
    return mean;
  }

  /** Per iteration so far, the per-microbatch losses. */
  public List<double[]> losses() {
    return losses.stream().map(double[]::clone).toList();
  }

  /** All parameters of all chunks, in model order. */
  public List<float[]> parameters() {
    List<float[]> all = new ArrayList<>();
    for (ChunkRunner c : chunks) {
      all.addAll(c.parameters());
    }
    return all;
  }

  /** The parameter digest of all parameters in model order ({@link #sha256}). */
  public String parameterSha256() {
    return sha256(parameters());
  }

  /**
   * The parameter digest (hex) of the tensors in order (docs/runtime.md "Parameter digest"): SHA-256 over the
   * concatenated SHA-256s of each tensor's float32 little-endian bytes. A pipeline's stages hash their own
   * tensors and the coordinator combines them into the same value (the protocol's {@code ParameterSha256}).
   */
  public static String sha256(List<float[]> tensors) {
    try {
      MessageDigest all = MessageDigest.getInstance("SHA-256");
      for (float[] t : tensors) {
        ByteBuffer bb = ByteBuffer.allocate(4 * t.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(t);
        all.update(MessageDigest.getInstance("SHA-256").digest(bb.array()));
      }
      return HexFormat.of().formatHex(all.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (ChunkRunner c : chunks) {
      c.close();
    }
  }
}
