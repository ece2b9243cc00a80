package io.zbpp.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zbpp.gpu.cpu.CpuDevice;
import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.pipeline.ReferenceTrainer;
import io.zbpp.gpu.pipeline.RunnerSpec;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every CUDA op against its CPU twin, with the tolerance named per op in {@link CudaParity}; then the tiny model
 * on both backends. Skipped when no GPU is present (CI has none).
 */
class CudaDeviceTest {
  @BeforeEach
  void needsGpu() {
    assumeTrue(CudaProbe.available(), "no GPU: " + CudaProbe.status().reason());
  }

  @ParameterizedTest
  @CsvSource({"2,16,32,4,256", "3,33,48,3,300"})
  void everyOpMatchesItsCpuTwin(int B, int T, int C, int NH, int Vp) {
    try (CpuDevice cpu = new CpuDevice(); CudaDevice gpu = CudaDevice.create(0)) {
      List<CudaParity.Result> results = new CudaParity(cpu, gpu, 1).runAll(B, T, C, NH, Vp);
      assertThat(results).allSatisfy(r -> assertThat(r.error()).as(r.op()).isLessThanOrEqualTo(r.tolerance()));
    }
  }

  @Test
  void tinyModelTrainsLikeTheCpuBackend() {
    RunnerSpec spec = RunnerSpec.of("tiny", Backend.CPU, 7, 2, 2, 2);
    try (ReferenceTrainer cpu = new ReferenceTrainer(spec);
        ReferenceTrainer gpu = new ReferenceTrainer(spec.withBackend(Backend.CUDA))) {
      double[] a = cpu.run(3);
      double[] b = gpu.run(3);
      for (int i = 0; i < a.length; i++) {
        assertThat(b[i]).as("iteration %d", i).isCloseTo(a[i], org.assertj.core.data.Percentage.withPercentage(0.01));
      }
    }
  }
}
