package io.zbpp.gpu.model;

import java.util.ArrayList;
import java.util.List;

/**
 * How L blocks split into V chunks in model order: chunk c holds blocks {@code first(c) … first(c)+blocks(c)−1}.
 * The embedding is on chunk 0, the final norm, head and loss on chunk V−1. Every chunk holds at least one block.
 */
public record Partition(List<Integer> blocks) {
  public Partition {
    blocks = List.copyOf(blocks);
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("partition []: must name at least one chunk");
    }
    for (int i = 0; i < blocks.size(); i++) {
      if (blocks.get(i) < 1) {
        throw new IllegalArgumentException(
            "partition " + blocks + ": chunk " + i + " has " + blocks.get(i) + " layers, must have at least 1");
      }
    }
  }

  /** V chunks as even as possible, the first L mod V chunks one block larger. */
  public static Partition even(int layers, int chunks) {
    if (chunks < 1) {
      throw new IllegalArgumentException("chunks [" + chunks + "]: must be at least 1");
    }
    if (chunks > layers) {
      throw new IllegalArgumentException(
          "chunks [" + chunks + "]: must be at most the number of layers (" + layers + ")");
    }
    List<Integer> b = new ArrayList<>();
    for (int c = 0; c < chunks; c++) {
      b.add(layers / chunks + (c < layers % chunks ? 1 : 0));
    }
    return new Partition(b);
  }

  /** Checks that this partition covers exactly {@code layers} blocks in {@code chunks} chunks. */
  public Partition checkFits(int layers, int chunks) {
    if (blocks.size() != chunks) {
      throw new IllegalArgumentException(
          "partition " + blocks + ": has " + blocks.size() + " chunks, expected " + chunks);
    }
    int sum = blocks.stream().mapToInt(Integer::intValue).sum();
    if (sum != layers) {
      throw new IllegalArgumentException(
          "partition " + blocks + ": sums to " + sum + " layers, the model has " + layers);
    }
    return this;
  }

  public int chunks() {
    return blocks.size();
  }

  /** Global index of the first block of chunk c. */
  public int first(int chunk) {
    int s = 0;
    for (int i = 0; i < chunk; i++) {
      s += blocks.get(i);
    }
    return s;
  }
}
