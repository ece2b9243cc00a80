package io.zbpp.gpu.pipeline;

import io.zbpp.gpu.device.Device;
import io.zbpp.gpu.device.Devices;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@link ChunkRunner} of any chunk of the model a {@link RunnerSpec} describes. Layer parameters
 * come from (seed, global layer index) only, so the same model split into 1, 2, 4 or 8 chunks starts
 * identical. On the cuda backend each runner gets its own device context and stream; when CUDA is absent the
 * cpu backend is used instead (with one warning, see {@link Devices#open}).
 */
public final class ChunkRunnerFactory {
  private ChunkRunnerFactory() {}

  /** The runner of chunk {@code chunk} (0…V−1) on the backend's device 0. */
  public static ChunkRunner create(RunnerSpec spec, int chunk) {
    return create(spec, chunk, 0, Devices::open);
  }

  /**
   * The runner of chunk {@code chunk} (0…V−1) on device {@code device} of the backend (a worker's device
   * index: the CUDA ordinal on the cuda backend), opened with {@code devices} (normally {@link Devices#open}).
   */
  public static ChunkRunner create(RunnerSpec spec, int chunk, int device, DeviceOpener devices) {
    if (chunk < 0 || chunk >= spec.chunks()) {
      throw new IllegalArgumentException("chunk [" + chunk + "]: must be in 0…" + (spec.chunks() - 1));
    }
    return switch (spec.backend()) {
      case EMULATED -> new EmulatedChunkRunner(spec, chunk);
      case CPU, CUDA -> new ModelChunkRunner(spec, chunk, devices.open(spec.backend(), device));
    };
  }

  /** Opens device {@code index} of a backend; {@link Devices#open(Backend, int)} is the one that runs. */
  @FunctionalInterface
  public interface DeviceOpener {
    Device open(io.zbpp.gpu.device.Backend backend, int index);
  }

  /** The runners of all V chunks, in model order. */
  public static List<ChunkRunner> createAll(RunnerSpec spec) {
    List<ChunkRunner> all = new ArrayList<>();
    for (int c = 0; c < spec.chunks(); c++) {
      all.add(create(spec, c));
    }
    return all;
  }
}
