package io.zbpp.gpu.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Measured costs of each chunk's passes, the inputs the schedule's cost model takes (docs/design.md §2, §4): the
 * memory delta of F, B and W in bytes (from {@link ChunkRunner#bytesHeld}) and their wall time in nanoseconds
 * (median over microbatches). Measured by running whole iterations single-device on fresh runners.
 *
 * @param chunk the chunk index
 * @param deltaF ΔM(F) = bytes held after F − before
 * @param deltaB ΔM(B)
 * @param deltaW ΔM(W)
 * @param nanosF median time of F
 * @param nanosB median time of B
 * @param nanosW median time of W
 */
public record PassProfile(int chunk, long deltaF, long deltaB, long deltaW, long nanosF, long nanosB,
    long nanosW) {

  /** Profiles every chunk of {@code spec} over {@code iterations} iterations of m microbatches each. */
  public static List<PassProfile> measure(RunnerSpec spec, int iterations) {
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations [" + iterations + "]: must be at least 1");
    }
    List<ChunkRunner> chunks = ChunkRunnerFactory.createAll(spec);
    int v = chunks.size();
    int m = spec.microbatches();
    int samples = iterations * m;
    long[][][] t = new long[v][3][samples];
    long[][] delta = new long[v][3];
    try {
      for (int k = 0; k < iterations; k++) {
        for (int j = 0; j < m; j++) {
          HostTensor x = null;
          for (int c = 0; c < v; c++) {
            ChunkRunner r = chunks.get(c);
            long before = r.bytesHeld();
            long t0 = System.nanoTime();
            x = r.forward(k, j, x);
            t[c][0][k * m + j] = System.nanoTime() - t0;
            delta[c][0] = r.bytesHeld() - before;
          }
          HostTensor g = null;
          for (int c = v - 1; c >= 0; c--) {
            ChunkRunner r = chunks.get(c);
            long before = r.bytesHeld();
            long t0 = System.nanoTime();
            g = r.backwardInput(j, g);
            long t1 = System.nanoTime();
            long mid = r.bytesHeld();
            r.backwardWeight(j);
            t[c][1][k * m + j] = t1 - t0;
            t[c][2][k * m + j] = System.nanoTime() - t1;
            delta[c][1] = mid - before;
            delta[c][2] = r.bytesHeld() - mid;
          }
        }
        for (ChunkRunner r : chunks) {
          r.step(k);
        }
      }
    } finally {
      chunks.forEach(ChunkRunner::close);
    }
    List<PassProfile> out = new ArrayList<>();
    for (int c = 0; c < v; c++) {
      out.add(new PassProfile(c, delta[c][0], delta[c][1], delta[c][2], median(t[c][0]), median(t[c][1]),
          median(t[c][2])));
    }
    return out;
  }

  private static long median(long[] a) {
    long[] s = a.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
