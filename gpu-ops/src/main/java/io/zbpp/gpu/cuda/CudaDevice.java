package io.zbpp.gpu.cuda;

import static io.zbpp.gpu.cuda.CudaKernels.blocks;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cublas.cublasSetMathMode;
import static org.bytedeco.cuda.global.cublas.cublasSetStream_v2;
import static org.bytedeco.cuda.global.cublas.cublasSgemm_v2;
import static org.bytedeco.cuda.global.cudart.cuCtxGetCurrent;
import static org.bytedeco.cuda.global.cudart.cuCtxSetCurrent;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemsetAsync;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The CUDA backend: cuBLAS (FP32, no TF32 unless {@link #useTf32}) for the GEMMs, PTX kernels ({@link
 * CudaKernels}) for the rest, all on one non-blocking stream of its own. Device memory comes from a pool by
 * size: after the first iteration nothing is allocated. Any thread may drive it (one at a time): the context is
 * made current when the calling thread changes. Only {@link CudaProbe#available()} callers may create one.
 */
public final class CudaDevice implements Device {
  private static final int HOST_TO_DEVICE = 1;
  private static final int DEVICE_TO_HOST = 2;
  private static final int PARTIALS = 256;

  private final int ordinal;
  private final CUctx_st ctx = new CUctx_st();
  private final CUstream_st stream = new CUstream_st();
  private final cublasContext blas = new cublasContext();
  private final CudaKernels k;
  private final Map<Integer, ArrayDeque<FloatPointer>> pool = new HashMap<>();
  private final List<FloatPointer> all = new ArrayList<>();
  private final FloatPointer one = new FloatPointer(1).put(0, 1f);
  private final FloatPointer zeroScalar = new FloatPointer(1).put(0, 0f);
  private final DoublePointer partials = new DoublePointer();
  private Thread owner;
  private long bytesInUse;

  private CudaDevice(int ordinal) {
    this.ordinal = ordinal;
    check(cudaSetDevice(ordinal), "cudaSetDevice");
    check(cudaFree(null), "cudaFree(0) to create the primary context");
    check(cuCtxGetCurrent(ctx), "cuCtxGetCurrent");
    check(cudaStreamCreateWithFlags(stream, 1), "cudaStreamCreateWithFlags");
    check(cublasCreate_v2(blas), "cublasCreate");
    check(cublasSetStream_v2(blas, stream), "cublasSetStream");
    check(cudaMalloc(partials, 8L * PARTIALS), "cudaMalloc partials");
    k = new CudaKernels();
    owner = Thread.currentThread();
  }

  /** A device on GPU {@code ordinal}; call only when {@link CudaProbe#available()}. */
  public static CudaDevice create(int ordinal) {
    if (!CudaProbe.available()) {
      throw new IllegalStateException("cuda backend: " + CudaProbe.status().reason());
    }
    return new CudaDevice(ordinal);
  }

  static void check(int err, String what) {
    if (err != 0) {
      throw new IllegalStateException(what + " failed: CUDA error " + err + " (" + errorName(err) + ")");
    }
  }

  private static String errorName(int err) {
    try {
      return cudaGetErrorString(err).getString();
    } catch (RuntimeException | LinkageError e) {
      return "?";
    }
  }

  /** The CUDA ordinal of this device's GPU. */
  public int ordinal() {
    return ordinal;
  }

  /** Switches cuBLAS to TF32 tensor-core math (for timing only: results no longer match FP32 tolerances). */
  public void useTf32(boolean on) {
    bind();
    check(cublasSetMathMode(blas, on ? org.bytedeco.cuda.global.cublas.CUBLAS_TF32_TENSOR_OP_MATH
        : org.bytedeco.cuda.global.cublas.CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
  }

  /** Waits for all work queued on this device's stream. */
  public void synchronize() {
    bind();
    check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
  }

  private void bind() {
    Thread t = Thread.currentThread();
    if (t != owner) {
      check(cudaSetDevice(ordinal), "cudaSetDevice");
      check(cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
      owner = t;
    }
  }

  private static FloatPointer p(Buf b) {
    return ((CudaBuf) b).ptr();
  }

  @Override
  public Backend backend() {
    return Backend.CUDA;
  }

  @Override
  public Buf alloc(int n) {
    bind();
    ArrayDeque<FloatPointer> free = pool.get(n);
    FloatPointer ptr;
    if (free != null && !free.isEmpty()) {
      ptr = free.pop();
    } else {
      ptr = new FloatPointer();
      check(cudaMalloc(ptr, 4L * Math.max(n, 1)), "cudaMalloc " + n + " floats");
      all.add(ptr);
    }
    check(cudaMemsetAsync(ptr, 0, 4L * n, stream), "cudaMemsetAsync");
    bytesInUse += 4L * n;
    return new CudaBuf(ptr, n);
  }

  @Override
  public void free(Buf buf) {
    bytesInUse -= buf.bytes();
    pool.computeIfAbsent(buf.size(), x -> new ArrayDeque<>()).push(p(buf));
  }

  @Override
  public Buf upload(float[] host) {
    Buf b = alloc(host.length);
    write(b, host);
    return b;
  }

  @Override
  public void write(Buf dst, float[] host) {
    bind();
    try (FloatPointer h = new FloatPointer(host)) {
      check(cudaMemcpyAsync(p(dst), h, 4L * host.length, HOST_TO_DEVICE, stream), "upload");
      check(cudaStreamSynchronize(stream), "upload sync");
    }
  }

  @Override
  public float[] download(Buf buf) {
    bind();
    float[] out = new float[buf.size()];
    try (FloatPointer h = new FloatPointer(buf.size())) {
      check(cudaMemcpyAsync(h, p(buf), buf.bytes(), DEVICE_TO_HOST, stream), "download");
      check(cudaStreamSynchronize(stream), "download sync");
      h.get(out);
    }
    return out;
  }

  @Override
  public long bytesInUse() {
    return bytesInUse;
  }

  private void launch(String name, long threads, Object... args) {
    bind();
    k.launch(name, stream, blocks(threads, 256), 256, args);
  }

  /** One warp per row: 8 rows per 256-thread block. */
  private void launchRows(String name, long rows, Object... args) {
    bind();
    k.launch(name, stream, blocks(rows, 8), 256, args);
  }

  @Override
  public void encoderForward(Buf out, Buf tokens, Buf wte, Buf wpe, int B, int T, int C) {
    launch("encoder_forward", (long) B * T * C, out, tokens, wte, wpe, B, T, C);
  }

  @Override
  public void encoderBackward(Buf dwte, Buf dwpe, Buf dout, Buf tokens, int B, int T, int C) {
    launch("encoder_backward", C, dwte, dwpe, dout, tokens, B, T, C);
  }

  @Override
  public void matmulForward(Buf out, Buf inp, Buf weight, Buf bias, int N, int C, int OC) {
    FloatPointer beta = zeroScalar;
    if (bias != null) {
      launch("bias_fill", (long) N * OC, out, bias, N, OC);
      beta = one;
    }
    bind();
    check(cublasSgemm_v2(blas, CUBLAS_OP_T, CUBLAS_OP_N, OC, N, C, one, p(weight), C, p(inp), C, beta, p(out),
        OC), "cublasSgemm forward");
  }

  @Override
  public void matmulBackwardInput(Buf dinp, Buf dout, Buf weight, int N, int C, int OC) {
    bind();
    check(cublasSgemm_v2(blas, CUBLAS_OP_N, CUBLAS_OP_N, C, N, OC, one, p(weight), C, p(dout), OC, zeroScalar,
        p(dinp), C), "cublasSgemm backwardInput");
  }

  @Override
  public void matmulBackwardWeight(Buf dweight, Buf dbias, Buf dout, Buf inp, int N, int C, int OC) {
    bind();
    check(cublasSgemm_v2(blas, CUBLAS_OP_N, CUBLAS_OP_T, C, OC, N, one, p(inp), C, p(dout), OC, one,
        p(dweight), C), "cublasSgemm backwardWeight");
    if (dbias != null) {
      launch("bias_backward", OC, dbias, dout, N, OC);
    }
  }

  @Override
  public void layernormForward(Buf out, Buf mean, Buf rstd, Buf inp, Buf weight, Buf bias, int N, int C) {
    launchRows("layernorm_forward", N, out, mean, rstd, inp, weight, bias, N, C);
  }

  @Override
  public void layernormBackwardInput(
      Buf dinp, Buf dout, Buf inp, Buf weight, Buf mean, Buf rstd, int N, int C) {
    launchRows("layernorm_backward_input", N, dinp, dout, inp, weight, mean, rstd, N, C);
  }

  @Override
  public void layernormBackwardWeight(
      Buf dweight, Buf dbias, Buf dout, Buf inp, Buf mean, Buf rstd, int N, int C) {
    launch("layernorm_backward_weight", C, dweight, dbias, dout, inp, mean, rstd, N, C);
  }

  /** The two halves in sequence: on CUDA, fusing them buys nothing the test of bit equality could see. */
  @Override
  public void layernormBackward(Buf dinp, Buf dweight, Buf dbias, Buf dout, Buf inp, Buf weight, Buf mean,
      Buf rstd, int N, int C) {
    layernormBackwardInput(dinp, dout, inp, weight, mean, rstd, N, C);
    layernormBackwardWeight(dweight, dbias, dout, inp, mean, rstd, N, C);
  }

  @Override
  public void geluForward(Buf out, Buf inp, int N) {
    launch("gelu_forward", N, out, inp, N);
  }

  @Override
  public void geluBackward(Buf dinp, Buf inp, Buf dout, int N) {
    launch("gelu_backward", N, dinp, inp, dout, N);
  }

  @Override
  public void attentionForward(Buf out, Buf att, Buf qkv, int B, int T, int C, int NH) {
    launch("attention_scores", (long) B * NH * T * T, att, qkv, B, T, C, NH);
    launchRows("attention_softmax", (long) B * NH * T, att, B * NH * T, T);
    launch("attention_values", (long) B * T * C, out, att, qkv, B, T, C, NH);
  }

  @Override
  public void attentionBackward(Buf dqkv, Buf dout, Buf qkv, Buf att, int B, int T, int C, int NH) {
    Buf datt = alloc(B * NH * T * T);
    float scale = (float) (1.0 / Math.sqrt(C / NH));
    launch("attention_datt", (long) B * NH * T * T, datt, dout, qkv, B, T, C, NH);
    launchRows("attention_softmax_backward", (long) B * NH * T, datt, att, B * NH * T, T, scale);
    launch("attention_dqkv", (long) B * T * 3 * C, dqkv, datt, att, dout, qkv, B, T, C, NH);
    free(datt);
  }

  @Override
  public void residualForward(Buf out, Buf a, Buf b, int N) {
    launch("residual_forward", N, out, a, b, N);
  }

  @Override
  public void accumulate(Buf dst, Buf src, int N) {
    launch("accumulate", N, dst, src, N);
  }

  @Override
  public void crossEntropyForward(Buf losses, Buf probs, Buf logits, Buf targets, int N, int Vp) {
    launchRows("crossentropy_forward", N, losses, probs, logits, targets, N, Vp);
  }

  @Override
  public void crossEntropyBackward(Buf dlogits, Buf probs, Buf targets, float dloss, int N, int Vp) {
    launch("crossentropy_backward", (long) N * Vp, dlogits, probs, targets, dloss, N, Vp);
  }

  @Override
  public void adamw(Buf param, Buf grad, Buf m, Buf v, int N, float lr, float beta1, float beta2, float eps,
      float weightDecay, int t) {
    float c1 = 1f - (float) Math.pow(beta1, t);
    float c2 = 1f - (float) Math.pow(beta2, t);
    launch("adamw", N, param, grad, m, v, N, lr, beta1, beta2, eps, weightDecay, c1, c2);
  }

  @Override
  public double sumSquares(Buf buf) {
    bind();
    k.launch("sum_squares", stream, PARTIALS, 256, partials, buf, buf.size());
    double[] host = new double[PARTIALS];
    try (DoublePointer h = new DoublePointer(PARTIALS)) {
      check(cudaMemcpyAsync(h, partials, 8L * PARTIALS, DEVICE_TO_HOST, stream), "sumSquares download");
      check(cudaStreamSynchronize(stream), "sumSquares sync");
      h.get(host);
    }
    double s = 0;
    for (double x : host) {
      s += x;
    }
    return s;
  }

  @Override
  public void zero(Buf buf) {
    bind();
    check(cudaMemsetAsync(p(buf), 0, buf.bytes(), stream), "cudaMemsetAsync");
  }

  @Override
  public void close() {
    bind();
    cudaStreamSynchronize(stream);
    for (Pointer ptr : all) {
      cudaFree(ptr);
    }
    all.clear();
    pool.clear();
    cudaFree(partials);
    cublasDestroy_v2(blas);
    cudaStreamDestroy(stream);
    one.close();
    zeroScalar.close();
  }
}
