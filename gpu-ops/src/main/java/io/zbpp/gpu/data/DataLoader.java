package io.zbpp.gpu.data;

/**
 * Deterministic microbatches: microbatch j of iteration k is always the same rows, whatever else ran before
 * or runs concurrently (the loader is stateless). Row i of the g-th microbatch overall (g = k·m + j) starts at
 * an offset drawn from a generator seeded by (seed, g·B + i) only.
 *
 * @param corpus the token stream
 * @param batchSize B rows per microbatch
 * @param seqLen T tokens per row
 * @param microbatches m per iteration
 * @param seed the data seed
 */
public record DataLoader(Corpus corpus, int batchSize, int seqLen, int microbatches, long seed) {
  /** inputs[B·T] and targets[B·T] (inputs shifted by one), token ids as float32 values. */
  public record Batch(float[] inputs, float[] targets) {}

  public DataLoader {
    if (corpus.length() < seqLen + 2) {
      throw new IllegalArgumentException(
          "seqLen [" + seqLen + "]: corpus of " + corpus.length() + " tokens is too short");
    }
  }

  public Batch batch(int iteration, int microbatch) {
    if (microbatch < 0 || microbatch >= microbatches) {
      throw new IllegalArgumentException(
          "microbatch [" + microbatch + "]: must be in 0…" + (microbatches - 1));
    }
    long g = (long) iteration * microbatches + microbatch;
    float[] in = new float[batchSize * seqLen];
    float[] tg = new float[batchSize * seqLen];
    int span = corpus.length() - seqLen - 1;
    for (int i = 0; i < batchSize; i++) {
      int start = (int) Math.floorMod(mix(seed, g * batchSize + i), (long) span);
      for (int t = 0; t < seqLen; t++) {
        in[i * seqLen + t] = corpus.token(start + t);
        tg[i * seqLen + t] = corpus.token(start + t + 1);
      }
    }
    return new Batch(in, tg);
  }

  private static long mix(long seed, long x) {
    long z = seed * 0x9E3779B97F4A7C15L + x * 0xD1B54A32D192ED03L + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
