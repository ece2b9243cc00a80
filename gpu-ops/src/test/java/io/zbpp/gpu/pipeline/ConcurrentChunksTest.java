package io.zbpp.gpu.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.device.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two chunks driven from two threads at once, as two stage actors would (each runner from its own thread,
 * activations and gradients passed through queues): the result is still bit-identical to the reference.
 */
class ConcurrentChunksTest {
  private static final int M = 4;

  @Test
  void twoStagesOnTwoThreadsMatchTheReference() throws Exception {
    RunnerSpec spec = RunnerSpec.of("tiny", Backend.CPU, 5, M, 2, 2);
    BlockingQueue<HostTensor> acts = new ArrayBlockingQueue<>(M);
    BlockingQueue<HostTensor> grads = new ArrayBlockingQueue<>(M);
    List<float[]> params = new ArrayList<>();
    try (ChunkRunner first = ChunkRunnerFactory.create(spec, 0);
        ChunkRunner last = ChunkRunnerFactory.create(spec, 1)) {
      for (int k = 0; k < 2; k++) {
        int iteration = k;
        CompletableFuture<Void> stage0 = CompletableFuture.runAsync(() -> {
          for (int j = 0; j < M; j++) {
            acts.add(first.forward(iteration, j, null));
          }
          for (int j = 0; j < M; j++) {
            first.backwardInput(j, take(grads));
          }
          for (int j = 0; j < M; j++) {
            first.backwardWeight(j);
          }
          first.step(iteration);
        });
        CompletableFuture<Void> stage1 = CompletableFuture.runAsync(() -> {
          for (int j = 0; j < M; j++) {
            last.forward(iteration, j, take(acts));
            grads.add(last.backwardInput(j, null));
          }
          for (int j = 0; j < M; j++) {
            last.backwardWeight(j);
          }
          last.step(iteration);
        });
        CompletableFuture.allOf(stage0, stage1).get(60, TimeUnit.SECONDS);
      }
      params.addAll(first.parameters());
      params.addAll(last.parameters());
    }
    try (ReferenceTrainer ref = new ReferenceTrainer(spec)) {
      ref.run(2);
      assertThat(ReferenceTrainer.sha256(params)).isEqualTo(ref.parameterSha256());
    }
  }

  private static HostTensor take(BlockingQueue<HostTensor> q) {
    try {
      return q.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
