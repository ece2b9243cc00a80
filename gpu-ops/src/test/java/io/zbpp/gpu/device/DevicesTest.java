package io.zbpp.gpu.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.zbpp.gpu.cpu.CpuDevice;
import io.zbpp.gpu.cuda.CudaDevice;
import io.zbpp.gpu.cuda.CudaProbe;
import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.gpu.pipeline.ChunkRunnerFactory;
import io.zbpp.gpu.pipeline.RunnerSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A worker's device index reaches the backend: device i of a worker is CUDA ordinal i. */
class DevicesTest {
  @Test
  void aNegativeIndexIsRefused() {
    assertThatThrownBy(() -> Devices.open(Backend.CPU, -1)).hasMessage("device [-1]: must be at least 0");
  }

  @Test
  void theCpuBackendHasADeviceForEveryIndex() {
    try (Device d = Devices.open(Backend.CPU, 5)) {
      assertThat(d).isInstanceOf(CpuDevice.class);
    }
  }

  @Test
  void theFactoryOpensTheDeviceOfTheIndexItIsGiven() throws Exception {
    List<String> opened = new ArrayList<>();
    try (ChunkRunner r = ChunkRunnerFactory.create(RunnerSpec.of("tiny", Backend.CUDA, 1, 2, 1, 2), 0, 2,
        (backend, index) -> {
          opened.add(backend + " " + index);
          return new CpuDevice();
        })) {
      assertThat(opened).containsExactly("cuda 2");
    }
  }

  @Test
  void cudaDeviceIOpensGpuI() {
    assumeTrue(CudaProbe.available(), "no GPU: " + CudaProbe.status().reason());
    for (int i = 0; i < CudaProbe.status().devices(); i++) {
      try (Device d = Devices.open(Backend.CUDA, i)) {
        assertThat(((CudaDevice) d).ordinal()).isEqualTo(i);
      }
    }
  }
}
