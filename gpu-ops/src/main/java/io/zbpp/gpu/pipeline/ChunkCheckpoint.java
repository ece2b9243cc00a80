package io.zbpp.gpu.pipeline;

import java.util.List;

/**
 * A chunk's trainable state, enough to continue training it bit for bit (on the cpu backend): its parameters,
 * the optimizer's first and second moments (each a list of tensors in model order, flat float32; empty for a
 * chunk whose optimizer keeps none), and the number of optimizer steps taken.
 */
public record ChunkCheckpoint(int steps, List<float[]> parameters, List<float[]> firstMoments,
    List<float[]> secondMoments) {
  public ChunkCheckpoint {
    parameters = List.copyOf(parameters);
    firstMoments = List.copyOf(firstMoments);
    secondMoments = List.copyOf(secondMoments);
  }
}
