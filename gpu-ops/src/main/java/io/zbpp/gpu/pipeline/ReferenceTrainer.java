package io.zbpp.gpu.pipeline;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Single-device training, the oracle the pipeline runtime is compared to bit for bit: per iteration, for each
 * microbatch in order, F through all chunks, then B and W through all chunks in reverse; after the last
 * microbatch, every chunk steps. Since each chunk's W runs in microbatch order, any schedule that also runs W
 * in microbatch order accumulates the same gradients in the same order (CPU backend: identical bits).
 */
public final class ReferenceTrainer implements AutoCloseable {
  private final RunnerSpec spec;
  private final List<ChunkRunner> chunks;
  private final List<double[]> losses = new ArrayList<>();

  public ReferenceTrainer(RunnerSpec spec) {
    this.spec = spec;
    this.chunks = ChunkRunnerFactory.createAll(spec);
  }

  /** Runs the next iteration; returns its per-microbatch losses (unscaled means). */
  public double[] runIteration() {
    int k = losses.size();
    int m = spec.microbatches();
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
    for (ChunkRunner c : chunks) {
      c.step(k);
    }
    losses.add(l);
    return l.clone();
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

  /** SHA-256 (hex) of all parameters in model order, as float32 little-endian bytes. */
  public String parameterSha256() {
    return sha256(parameters());
  }

  /** SHA-256 (hex) of the tensors in order, as float32 little-endian bytes. */
  public static String sha256(List<float[]> tensors) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (float[] t : tensors) {
        ByteBuffer bb = ByteBuffer.allocate(4 * t.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(t);
        md.update(bb.array());
      }
      return HexFormat.of().formatHex(md.digest());
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
