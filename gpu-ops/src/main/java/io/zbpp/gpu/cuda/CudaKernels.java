package io.zbpp.gpu.cuda;

import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The PTX kernels shipped as resources ({@code kernels.ptx}, {@code attention.ptx}, built from
 * {@code src/main/cuda} by {@code scripts/build-ptx.sh}), loaded once per context with the driver API, and a
 * launcher that marshals arguments: {@link CudaBuf} and other device pointers, Integer, Float.
 */
final class CudaKernels {
  private static final List<String> MODULES = List.of("kernels.ptx", "attention.ptx");
  private final Map<String, CUfunc_st> functions = new HashMap<>();

  /** Loads every module into the current context. */
  CudaKernels() {
    for (String m : MODULES) {
      CUmod_st module = new CUmod_st();
      try (BytePointer ptx = new BytePointer(readResource(m))) {
        CudaDevice.check(cuModuleLoadData(module, ptx), "cuModuleLoadData " + m);
      }
      for (String name : kernelNames(m)) {
        CUfunc_st f = new CUfunc_st();
        CudaDevice.check(cuModuleGetFunction(f, module, name), "cuModuleGetFunction " + name);
        functions.put(name, f);
      }
    }
  }

  /** Launches {@code name} on {@code stream} with a 1-D grid. */
  void launch(String name, CUstream_st stream, long grid, int block, Object... args) {
    CUfunc_st f = functions.get(name);
    if (f == null) {
      throw new IllegalArgumentException("kernel [" + name + "]: not in " + MODULES);
    }
    Pointer[] holders = new Pointer[args.length];
    try (PointerPointer<Pointer> params = new PointerPointer<>(args.length)) {
      for (int i = 0; i < args.length; i++) {
        holders[i] = holder(args[i]);
        params.put(i, holders[i]);
      }
      CudaDevice.check(cuLaunchKernel(f, (int) grid, 1, 1, block, 1, 1, 0, stream, params, null), name);
    } finally {
      for (Pointer p : holders) {
        if (p != null) {
          p.close();
        }
      }
    }
  }

  /** Blocks of {@code block} threads covering {@code n} threads. */
  static long blocks(long n, int block) {
    return Math.max(1, (n + block - 1) / block);
  }

  private static Pointer holder(Object a) {
    if (a instanceof CudaBuf b) {
      return new PointerPointer<>(1).put(0, b.ptr());
    }
    if (a instanceof Pointer p) {
      return new PointerPointer<>(1).put(0, p);
    }
    if (a instanceof Integer i) {
      return new IntPointer(1).put(0, i);
    }
    if (a instanceof Float x) {
      return new FloatPointer(1).put(0, x);
    }
    throw new IllegalArgumentException("kernel argument of type " + a.getClass() + " is not supported");
  }

  private static byte[] readResource(String name) {
    try (InputStream in = CudaKernels.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("PTX resource " + name + " is missing (run gpu-ops/scripts/build-ptx.sh)");
      }
      byte[] b = in.readAllBytes();
      byte[] z = new byte[b.length + 1]; // NUL-terminated for cuModuleLoadData
      System.arraycopy(b, 0, z, 0, b.length);
      return z;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> kernelNames(String module) {
    String ptx = new String(readResource(module), java.nio.charset.StandardCharsets.US_ASCII);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\.entry\\s+(\\w+)").matcher(ptx);
    List<String> names = new java.util.ArrayList<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
