package io.zbpp.gpu.device;

import java.util.Arrays;
import java.util.Locale;

/** Where a chunk's passes run. */
public enum Backend {
  /** The reference: OpenBLAS GEMMs and plain Java, deterministic run after run. */
  CPU,
  /** cuBLAS GEMMs and PTX kernels on one CUDA stream per chunk. */
  CUDA,
  /** No arithmetic: each pass sleeps a configured time and returns placeholder tensors. */
  EMULATED;

  /** Parses {@code cpu}, {@code cuda} or {@code emulated} (any case). */
  public static Backend parse(String name) {
    for (Backend b : values()) {
      if (b.name().equalsIgnoreCase(name)) {
        return b;
      }
    }
    throw new IllegalArgumentException(
        "backend [" + name + "]: must be one of "
            + Arrays.toString(values()).toLowerCase(Locale.ROOT));
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
