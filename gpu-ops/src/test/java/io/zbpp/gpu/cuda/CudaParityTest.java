package io.zbpp.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.cpu.CpuDevice;
import org.junit.jupiter.api.Test;

/** The parity harness itself, run without a GPU: the CPU against itself gives exactly zero error everywhere. */
class CudaParityTest {
  @Test
  void cpuAgainstItselfIsExactForEveryOp() {
    try (CpuDevice a = new CpuDevice(); CpuDevice b = new CpuDevice()) {
      var results = new CudaParity(a, b, 1).runAll(2, 5, 8, 2, 11);
      assertThat(results).hasSizeGreaterThan(20);
      assertThat(results).allSatisfy(r -> assertThat(r.error()).as(r.op()).isZero());
    }
  }

  @Test
  void errorIsRelativeToTheLargestReferenceValue() {
    assertThat(CudaParity.error(new float[] {2f, -4f}, new float[] {2f, -3.9f})).isCloseTo(0.025, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(CudaParity.error(new float[] {1f}, new float[] {Float.NaN})).isInfinite();
  }

  @Test
  void probeAnswersWithoutThrowing() {
    CudaProbe.Status s = CudaProbe.status();
    assertThat(s.reason()).isNotBlank();
    assertThat(s.available()).isEqualTo(s.devices() > 0);
  }
}
