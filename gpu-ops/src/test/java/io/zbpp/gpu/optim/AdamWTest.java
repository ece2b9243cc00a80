package io.zbpp.gpu.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.zbpp.gpu.cpu.CpuDevice;
import io.zbpp.gpu.nn.Param;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamWTest {
  @Test
  void stepsWithDecoupledDecayAndBiasCorrectionThenZeroesGradients() {
    CpuDevice d = new CpuDevice();
    Param w = Param.create(d, "w", new int[] {2}, true, new float[] {1f, -2f});
    Param b = Param.create(d, "b", new int[] {1}, false, new float[] {0.5f});
    AdamW opt = new AdamW(d, List.of(w, b), new AdamWConfig(0.1f, 0.9f, 0.95f, 1e-8f, 0.5f));
    d.write(w.grad(), new float[] {0.2f, -0.4f});
    d.write(b.grad(), new float[] {3f});
    opt.step();
    // Step 1: m̂ = g, v̂ = g², so the update is lr·sign(g); decay multiplies by (1 − lr·wd) = 0.95.
    assertThat(d.download(w.value())[0]).isCloseTo(0.95f - 0.1f, within(1e-6f));
    assertThat(d.download(w.value())[1]).isCloseTo(-1.9f + 0.1f, within(1e-6f));
    assertThat(d.download(b.value())[0]).isCloseTo(0.4f, within(1e-6f)); // no decay on biases
    assertThat(d.download(w.grad())).containsOnly(0f);
    assertThat(opt.steps()).isEqualTo(1);
  }
}
