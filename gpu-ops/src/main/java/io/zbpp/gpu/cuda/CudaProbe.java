package io.zbpp.gpu.cuda;

import org.bytedeco.javacpp.Loader;

/**
 * Detects CUDA once per JVM, safely: without a GPU, loading the cudart bindings throws
 * {@code UnsatisfiedLinkError} (no libcuda.so.1) and later uses throw {@code NoClassDefFoundError}, so nothing
 * touches {@code org.bytedeco.cuda.global.*} before {@link #status()} says it is there.
 */
public final class CudaProbe {
  /** The outcome: available, device count, and a one-line reason when not available. */
  public record Status(boolean available, int devices, String reason) {}

  private static volatile Status status;

  private CudaProbe() {}

  public static boolean available() {
    return status().available();
  }

  public static synchronized Status status() {
    if (status == null) {
      status = probe();
    }
    return status;
  }

  private static Status probe() {
    try {
      Loader.load(org.bytedeco.cuda.global.cudart.class);
      int[] n = new int[1];
      int err = org.bytedeco.cuda.global.cudart.cudaGetDeviceCount(n);
      if (err != 0) {
        return new Status(false, 0, "cudaGetDeviceCount failed with CUDA error " + err);
      }
      if (n[0] < 1) {
        return new Status(false, 0, "no CUDA device found");
      }
      return new Status(true, n[0], "CUDA devices: " + n[0]);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
      return new Status(false, 0, "CUDA libraries not loadable: " + rootMessage(e));
    }
  }

  /** JavaCPP reports "no jnicudart in java.library.path"; the cause (e.g. no libcuda.so.1) is further down. */
  private static String rootMessage(Throwable e) {
    String best = String.valueOf(e.getMessage());
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("cannot open shared object")) {
        best = m;
      }
    }
    int nl = best.indexOf('\n');
    return nl >= 0 ? best.substring(0, nl) : best;
  }
}
