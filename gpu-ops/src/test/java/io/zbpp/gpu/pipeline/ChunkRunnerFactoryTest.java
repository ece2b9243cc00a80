package io.zbpp.gpu.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.optim.AdamWConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Building runners: bad input answered in one line naming the value; the memory report of the passes. */
class ChunkRunnerFactoryTest {
  @Test
  void rejectsUnknownPreset() {
    assertThatThrownBy(() -> RunnerSpec.of("huge", Backend.CPU, 1, 4, 2, 2))
        .hasMessage("unknown preset [huge]: must be one of tiny, small, 1.5b, 6.2b, 14.6b, 28.3b");
  }

  @Test
  void rejectsMoreChunksThanLayers() {
    assertThatThrownBy(() -> RunnerSpec.of("tiny", Backend.CPU, 1, 4, 2, 9))
        .hasMessage("chunks [9]: must be at most the number of layers (8)");
  }

  @Test
  void rejectsBadPartitionsAndSizes() {
    RunnerSpec s = RunnerSpec.of("tiny", Backend.CPU, 1, 4, 2, 2);
    assertThatThrownBy(() -> s.withPartition(List.of(3, 4)))
        .hasMessage("partition [3, 4]: sums to 7 layers, the model has 8");
    assertThatThrownBy(() -> s.withPartition(List.of(8, 0)))
        .hasMessage("partition [8, 0]: chunk 1 has 0 layers, must have at least 1");
    assertThatThrownBy(() -> RunnerSpec.of("tiny", Backend.CPU, 1, 0, 2, 2))
        .hasMessage("microbatches [0]: must be at least 1");
    assertThatThrownBy(() -> RunnerSpec.of("tiny", Backend.CPU, 1, 4, 0, 2))
        .hasMessage("microbatchSize [0]: must be at least 1");
    assertThatThrownBy(() -> ChunkRunnerFactory.create(s, 2)).hasMessage("chunk [2]: must be in 0…1");
    assertThatThrownBy(() -> Backend.parse("tpu")).hasMessage("backend [tpu]: must be one of [cpu, cuda, emulated]");
    assertThatThrownBy(() -> new GptConfig("x", 2, 30, 4, 256, 8))
        .hasMessage("hidden [30]: must be a multiple of heads (4)");
    assertThatThrownBy(() -> AdamWConfig.of(0f)).hasMessage("lr [0.0]: must be positive");
  }

  @Test
  void rejectsPassesOutOfOrder() {
    try (ChunkRunner c = ChunkRunnerFactory.create(RunnerSpec.of("tiny", Backend.CPU, 1, 2, 1, 2), 1)) {
      assertThatThrownBy(() -> c.backwardInput(0, null))
          .hasMessage("chunk 1 microbatch 0: backwardInput without a forward in flight");
      assertThatThrownBy(() -> c.forward(0, 2, null)).hasMessage("microbatch [2]: must be in 0…1");
      assertThatThrownBy(() -> c.forward(0, 0, new HostTensor(new int[] {1}, new float[1])))
          .hasMessage("chunk 1: input shape [1], expected [1, 16, 32]");
    }
  }

  /**
   * F holds activations, B trades them for the W stash, W frees everything. The W stash keeps only the linear
   * layers' inputs and output gradients — 16·C floats per token against F's 16·C + NH·T — so B frees memory
   * (the attention probabilities) even on narrow models like tiny, as the paper's M_W &lt; M_B says.
   */
  @Test
  void bytesHeldFollowsTheMemoryModelOfThePasses() {
    RunnerSpec spec = RunnerSpec.of("tiny", Backend.CPU, 1, 2, 2, 2);
    try (ChunkRunner first = ChunkRunnerFactory.create(spec, 0);
        ChunkRunner last = ChunkRunnerFactory.create(spec, 1)) {
      assertThat(first.bytesHeld()).isZero();
      HostTensor x = first.forward(0, 0, null);
      long afterF = first.bytesHeld();
      last.forward(0, 0, x);
      HostTensor g = last.backwardInput(0, null);
      assertThat(first.backwardInput(0, g)).isNull();
      long afterB = first.bytesHeld();
      first.backwardWeight(0);
      assertThat(afterF).isPositive();
      assertThat(afterB).isPositive().isLessThan(afterF);
      assertThat(first.bytesHeld()).isZero();
      assertThat(first.gradNormSquared()).isPositive();
      assertThat(first.gradsFinite()).isTrue();
      first.step(0);
      assertThat(first.gradNormSquared()).isZero();
    }
  }

  @Test
  void cudaRequestWithoutGpuFallsBackToCpu() {
    RunnerSpec spec = RunnerSpec.of("tiny", Backend.CPU, 3, 1, 1, 1);
    org.junit.jupiter.api.Assumptions.assumeFalse(io.zbpp.gpu.cuda.CudaProbe.available(), "a GPU is present");
    try (ReferenceTrainer cpu = new ReferenceTrainer(spec);
        ReferenceTrainer cuda = new ReferenceTrainer(spec.withBackend(Backend.CUDA))) {
      assertThat(cuda.run(1)).isEqualTo(cpu.run(1));
    }
  }
}
