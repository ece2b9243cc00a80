package io.zbpp.gpu.device;

/**
 * A float32 buffer owned by one {@link Device}: host memory on the CPU backend, device memory on CUDA. Its
 * contents are only reachable through the device that made it ({@link Device#download}).
 */
public interface Buf {
  /** Number of float32 elements. */
  int size();

  /** Bytes of storage. */
  default long bytes() {
    return 4L * size();
  }
}
