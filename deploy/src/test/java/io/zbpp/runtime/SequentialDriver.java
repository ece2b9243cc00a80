package io.zbpp.runtime;

import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.gpu.pipeline.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The single-device oracle: drives all V chunks in one thread, per iteration every microbatch's forward
 * through the chunks, then every microbatch's backward (B then W per chunk), then the optimizer step of
 * every chunk. Reports the losses and the parameter digest the way {@link LocalTraining} does.
 */
final class SequentialDriver {
  private SequentialDriver() {}

  record Result(List<Double> losses, String paramsSha256) {}

  static Result run(int chunks, int m, int iterations, IntFunction<ChunkRunner> factory, boolean reverseW) {
    List<ChunkRunner> rs = new ArrayList<>();
    for (int c = 0; c < chunks; c++) {
      rs.add(factory.apply(c));
    }
    List<Double> losses = new ArrayList<>();
    for (int it = 0; it < iterations; it++) {
      double sum = 0;
      for (int j = 0; j < m; j++) {
        HostTensor t = null;
        for (ChunkRunner r : rs) {
          t = r.forward(it, j, t);
        }
        sum += rs.get(chunks - 1).loss(j);
      }
      losses.add(sum / m);
      for (int j = 0; j < m; j++) {
        HostTensor g = null;
        for (int c = chunks - 1; c >= 0; c--) {
          g = rs.get(c).backwardInput(j, g);
        }
      }
      for (ChunkRunner r : rs) {
        for (int j = 0; j < m; j++) {
          r.backwardWeight(reverseW ? m - 1 - j : j);
        }
        r.step(it);
      }
    }
    return new Result(losses, ParameterDigest.sha256(rs.stream().map(ChunkRunner::parameters).toList()));
  }
}
