package io.zbpp.cli;

import io.zbpp.gpu.pipeline.ChunkRunner;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * A chunk factory that remembers what each chunk last answered to {@link ChunkRunner#parameters()}: after a
 * job, that is the parameter fetch the coordinator digests into {@code paramsSha256}, so the trained model can
 * be used (e.g. sampled) without training it again. Each runner is wrapped in a dynamic proxy rather than a
 * hand-written decorator so that methods added to {@link ChunkRunner} later are forwarded too.
 */
final class ParameterTap implements IntFunction<ChunkRunner> {
  private final IntFunction<ChunkRunner> inner;
  private final Map<Integer, List<float[]>> latest = new ConcurrentHashMap<>();

  ParameterTap(IntFunction<ChunkRunner> inner) {
    this.inner = inner;
  }

  @Override
  public ChunkRunner apply(int chunk) {
    ChunkRunner runner = inner.apply(chunk);
    return (ChunkRunner) Proxy.newProxyInstance(ChunkRunner.class.getClassLoader(),
        new Class<?>[] {ChunkRunner.class}, (proxy, method, args) -> {
          Object result;
          try {
            result = method.invoke(runner, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          if (method.getName().equals("parameters") && method.getParameterCount() == 0) {
            @SuppressWarnings("unchecked")
            List<float[]> params = (List<float[]>) result;
            latest.put(chunk, List.copyOf(params));
          }
          return result;
        });
  }

  /**
   * Every chunk's last fetched parameters, chunks 0…{@code chunks}−1 in model order.
   *
   * @throws IllegalStateException when a chunk's parameters were never fetched
   */
  List<float[]> parameters(int chunks) {
    List<float[]> all = new ArrayList<>();
    for (int c = 0; c < chunks; c++) {
      List<float[]> p = latest.get(c);
      if (p == null) {
        throw new IllegalStateException("chunk " + c + ": its parameters were never fetched");
      }
      all.addAll(p);
    }
    return all;
  }
}
