package io.zbpp.gpu.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.zbpp.gpu.data.Corpus;
import io.zbpp.gpu.data.DataLoader;
import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sampler runs the same model as the trainer: its logits give the trainer's loss, and it is deterministic. */
class SamplerTest {
  private static final long SEED = 5;
  private static final GptConfig TINY = GptConfig.preset("tiny");

  /** Tolerance of a mean cross-entropy recomputed in double from float logits. */
  private static final double LOSS_TOLERANCE = 1e-5;

  @Test
  void logitsOfEveryPrefixGiveTheTrainersLossOnTheSameRow() {
    RunnerSpec spec = RunnerSpec.of("tiny", Backend.CPU, SEED, 1, 1, 4);
    List<float[]> initial;
    double trainerLoss;
    try (ReferenceTrainer t = new ReferenceTrainer(spec)) {
      initial = t.parameters();
      trainerLoss = t.runIteration()[0];
    }
    DataLoader.Batch row = new DataLoader(Corpus.bundled(), 1, TINY.seqLen(), 1, SEED).batch(0, 0);
    double sum = 0;
    try (Sampler s = new Sampler(TINY, initial)) {
      for (int n = 1; n <= TINY.seqLen(); n++) {
        int[] prefix = new int[n];
        for (int i = 0; i < n; i++) {
          prefix[i] = (int) row.inputs()[i];
        }
        sum += crossEntropy(s.nextLogits(prefix), (int) row.targets()[n - 1]);
      }
    }
    assertThat(sum / TINY.seqLen()).isCloseTo(trainerLoss, within(LOSS_TOLERANCE));
  }

  private static double crossEntropy(float[] logits, int target) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double z = 0;
    for (float l : logits) {
      z += Math.exp(l - max);
    }
    return Math.log(z) - (logits[target] - max);
  }

  @Test
  void greedyTextIgnoresTheSeedAndSampledTextRepeatsForTheSameSeed() {
    try (ReferenceTrainer t = new ReferenceTrainer(RunnerSpec.of("tiny", Backend.CPU, SEED, 2, 1, 1));
        Sampler s = new Sampler(TINY, trained(t))) {
      String greedy = s.generate("The ", 40, 0, 1);
      assertThat(greedy).startsWith("The ").hasSize(44).isEqualTo(s.generate("The ", 40, 0, 2));
      assertThat(s.generate("The ", 40, 1.0, 7)).isEqualTo(s.generate("The ", 40, 1.0, 7))
          .isNotEqualTo(s.generate("The ", 40, 1.0, 8));
    }
  }

  private static List<float[]> trained(ReferenceTrainer t) {
    t.run(3);
    return t.parameters();
  }

  @Test
  void rejectsParametersOfAnotherModel() {
    List<float[]> small;
    try (ReferenceTrainer t = new ReferenceTrainer(RunnerSpec.of("tiny", Backend.CPU, SEED, 1, 1, 1))) {
      small = t.parameters().subList(0, 3);
    }
    assertThatThrownBy(() -> new Sampler(TINY, small)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("parameters [3 tensors]: the tiny model has 101 tensors");
  }
}
