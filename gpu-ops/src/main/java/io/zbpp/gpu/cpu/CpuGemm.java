package io.zbpp.gpu.cpu;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

import org.bytedeco.javacpp.FloatPointer;

/**
 * The linear layer's three GEMMs through OpenBLAS (Bytedeco), row-major, on Java float arrays staged through
 * per-thread off-heap buffers: operands are copied in once, the result copied out once (JavaCPP's own array
 * marshalling would malloc, copy in and copy back every array on every call). {@code GpuOpsBench} measures what
 * the staging costs against a plain off-heap sgemm. Shapes: inp[N,C], weight[OC,C], out[N,OC].
 */
public final class CpuGemm {
  /** Env var that, when set, leaves OpenBLAS's thread count to OpenBLAS. */
  public static final String THREADS_ENV = "OPENBLAS_NUM_THREADS";

  static {
    // Stages run concurrently, several per machine: one BLAS thread each unless told otherwise. Measured on the
    // shared 2-core machine, 2 threads per GEMM under load ran 2–10× slower than 1 (spinning threads). And the
    // thread count is part of the arithmetic: on an AMD EPYC, 2 threads changed the small model's parameters after
    // one step against 1 thread, so every JVM of a job must use the same count (the default: 1 everywhere).
    if (System.getenv(THREADS_ENV) == null) {
      setThreads(1);
    }
  }

  private static final ThreadLocal<Staging> STAGING = ThreadLocal.withInitial(Staging::new);

  private CpuGemm() {}

  /** Off-heap operand buffers of one thread, grown on demand and kept. */
  private static final class Staging {
    private final FloatPointer[] bufs = {new FloatPointer(1), new FloatPointer(1), new FloatPointer(1)};

    FloatPointer get(int slot, float[] data, boolean copyIn) {
      if (bufs[slot].capacity() < data.length) {
        bufs[slot].close();
        bufs[slot] = new FloatPointer(Math.max(data.length, 2 * bufs[slot].capacity()));
      }
      if (copyIn) {
        bufs[slot].position(0).put(data, 0, data.length);
      }
      return bufs[slot].position(0);
    }
  }

  /** C = op(A)·op(B) + beta·C, row-major, through the staging buffers. */
  static void sgemm(int ta, int tb, int m, int n, int k, float[] a, int lda, float[] b, int ldb, float beta,
      float[] c, int ldc) {
    Staging s = STAGING.get();
    FloatPointer pa = s.get(0, a, true);
    FloatPointer pb = s.get(1, b, true);
    FloatPointer pc = s.get(2, c, beta != 0f);
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1f, pa, lda, pb, ldb, beta, pc, ldc);
    pc.get(c, 0, c.length);
  }

  /**
   * Sets OpenBLAS's thread count for the whole process (default here: 1, or OpenBLAS's own choice when
   * {@value #THREADS_ENV} is set). With several stages on few cores, 1 avoids oversubscription, which costs
   * OpenBLAS's spinning threads far more than it gains. Results are bit-identical only between runs with the same
   * count.
   */
  public static void setThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("blas threads [" + threads + "]: must be at least 1");
    }
    org.bytedeco.openblas.global.openblas.blas_set_num_threads(threads);
  }

  /** OpenBLAS's current thread count (it answers −1 until set: then its default, one per core). */
  public static int threads() {
    int n = org.bytedeco.openblas.global.openblas.blas_get_num_threads();
    return n >= 1 ? n : Runtime.getRuntime().availableProcessors();
  }

  /** out = inp · weightᵀ + bias: the bias is written first and the GEMM accumulates onto it (beta 1). */
  public static void forward(float[] out, float[] inp, float[] weight, float[] bias, int N, int C, int OC) {
    float beta = 0f;
    if (bias != null) {
      CpuKernels.addBiasRows(out, bias, N, OC);
      beta = 1f;
    }
    sgemm(CblasNoTrans, CblasTrans, N, OC, C, inp, C, weight, C, beta, out, OC);
  }

  /** dinp = dout · weight. */
  public static void backwardInput(float[] dinp, float[] dout, float[] weight, int N, int C, int OC) {
    sgemm(CblasNoTrans, CblasNoTrans, N, C, OC, dout, OC, weight, C, 0f, dinp, C);
  }

  /** dweight += doutᵀ · inp; dbias += column sums of dout. */
  public static void backwardWeight(
      float[] dweight, float[] dbias, float[] dout, float[] inp, int N, int C, int OC) {
    sgemm(CblasTrans, CblasNoTrans, OC, C, N, dout, OC, inp, C, 1f, dweight, C);
    if (dbias != null) {
      CpuKernels.biasBackward(dbias, dout, N, OC);
    }
  }
}
