package io.zbpp.protocol.msg;

import java.util.Arrays;
import java.util.List;

/**
 * A model chunk's trainable state, enough to continue training it bit for bit: its parameters and AdamW's
 * first and second moments (each a list of tensors in model order, flat float32) and the number of optimizer
 * steps taken (AdamW's bias correction depends on it). Equal by content.
 */
public record ChunkState(int chunk, int steps, List<float[]> parameters, List<float[]> firstMoments,
    List<float[]> secondMoments) {
  public ChunkState {
    parameters = List.copyOf(parameters);
    firstMoments = List.copyOf(firstMoments);
    secondMoments = List.copyOf(secondMoments);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChunkState s && s.chunk == chunk && s.steps == steps && same(s.parameters, parameters)
        && same(s.firstMoments, firstMoments) && same(s.secondMoments, secondMoments);
  }

  @Override
  public int hashCode() {
    int h = 31 * chunk + steps;
    for (List<float[]> l : List.of(parameters, firstMoments, secondMoments)) {
      for (float[] t : l) {
        h = 31 * h + Arrays.hashCode(t);
      }
    }
    return h;
  }

  private static boolean same(List<float[]> a, List<float[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "ChunkState[chunk=" + chunk + ", steps=" + steps + ", " + parameters.size() + " tensors]";
  }
}
