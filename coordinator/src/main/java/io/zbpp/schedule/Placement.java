package io.zbpp.schedule;

import java.util.ArrayList;
import java.util.List;

/**
 * Where each model chunk lives: chunk c (0…V−1 in model order) runs on stage {@code stageOf(c)}. Every stage
 * holds the same number of chunks, v = V / p.
 *
 * @param chunkStage stage of each chunk, indexed by chunk
 * @param stages the number of stages p
 */
public record Placement(List<Integer> chunkStage, int stages) {
  public Placement {
    chunkStage = List.copyOf(chunkStage);
    if (stages < 1) {
      throw new IllegalArgumentException("stages [" + stages + "]: must be at least 1");
    }
    if (chunkStage.isEmpty() || chunkStage.size() % stages != 0) {
      throw new IllegalArgumentException(
          "chunks [" + chunkStage.size() + "]: must be a positive multiple of the " + stages + " stages");
    }
    int[] count = new int[stages];
    for (int s : chunkStage) {
      if (s < 0 || s >= stages) {
        throw new IllegalArgumentException("chunk placed on stage [" + s + "]: stages are 0.." + (stages - 1));
      }
      count[s]++;
    }
    for (int s = 0; s < stages; s++) {
      if (count[s] != chunkStage.size() / stages) {
        throw new IllegalArgumentException("stage " + s + " holds " + count[s] + " chunks; every stage must hold "
            + chunkStage.size() / stages);
      }
    }
  }

  /** One chunk per stage: chunk i on stage i. */
  public static Placement single(int stages) {
    return interleaved(stages, 1);
  }

  /** Interleaved 1F1B: v chunks per stage, chunk c on stage c mod p. */
  public static Placement interleaved(int stages, int v) {
    List<Integer> cs = new ArrayList<>();
    for (int c = 0; c < stages * v; c++) {
      cs.add(c % stages);
    }
    return new Placement(cs, stages);
  }

  /** ZB-V (docs/design.md §5): 2p chunks, stage i holds chunks i and 2p−1−i. */
  public static Placement vShape(int stages) {
    List<Integer> cs = new ArrayList<>();
    for (int c = 0; c < 2 * stages; c++) {
      cs.add(c < stages ? c : 2 * stages - 1 - c);
    }
    return new Placement(cs, stages);
  }

  public int chunks() {
    return chunkStage.size();
  }

  /** Chunks per stage, v. */
  public int chunksPerStage() {
    return chunkStage.size() / stages;
  }

  public int stageOf(int chunk) {
    return chunkStage.get(chunk);
  }

  /** Whether chunk c is the one each stage holds in a plain single-chunk pipeline (chunk c on stage c). */
  public boolean isSingle() {
    return chunksPerStage() == 1;
  }
}
