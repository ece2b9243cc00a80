package io.zbpp.gpu.device;

import io.zbpp.gpu.cpu.CpuDevice;
import io.zbpp.gpu.cuda.CudaDevice;
import io.zbpp.gpu.cuda.CudaProbe;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens a {@link Device} for a backend; CUDA is probed once, and its absence falls back to the CPU. */
public final class Devices {
  private static final Logger LOG = LoggerFactory.getLogger(Devices.class);
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private Devices() {}

  /**
   * The backend that {@link #open} really runs for a requested one: cuda only when a GPU is present, otherwise
   * cpu; cpu and emulated as requested. Reports use it to name the device that ran, beside the one asked for.
   */
  public static Backend resolve(Backend requested) {
    return requested == Backend.CUDA && !CudaProbe.status().available() ? Backend.CPU : requested;
  }

  /** Why {@code requested} resolves to another backend (the CUDA probe's reason), or empty when it does not. */
  public static String fallbackReason(Backend requested) {
    return resolve(requested) == requested ? "" : CudaProbe.status().reason();
  }

  /** A new device on the backend's first device (index 0): see {@link #open(Backend, int)}. */
  public static Device open(Backend backend) {
    return open(backend, 0);
  }

  /**
   * A new device: cpu, or cuda device {@code index} (the CUDA ordinal; its own context use and stream, made
   * current on whichever thread drives it) when a GPU is present, otherwise the cpu backend after one warning
   * naming why. The cpu backend has one device for every index. The emulated backend has no device (it does no
   * arithmetic).
   *
   * @throws IllegalArgumentException when {@code index} is negative
   */
  public static Device open(Backend backend, int index) {
    if (index < 0) {
      throw new IllegalArgumentException("device [" + index + "]: must be at least 0");
    }
    return switch (backend) {
      case CPU -> new CpuDevice();
      case CUDA -> {
        if (resolve(backend) == Backend.CUDA) {
          yield CudaDevice.create(index);
        }
        if (WARNED.compareAndSet(false, true)) {
          LOG.warn("cuda backend requested but unavailable ({}); falling back to the cpu backend",
              fallbackReason(backend));
        }
        yield new CpuDevice();
      }
      case EMULATED -> throw new IllegalArgumentException(
          "backend [emulated]: has no device, build its runners with ChunkRunnerFactory");
    };
  }
}
