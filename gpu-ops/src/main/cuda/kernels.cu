// zbpp gpu-ops kernels: the CUDA twins of io.zbpp.gpu.cpu.CpuKernels and CpuAttention (same names, shapes and
// contracts as io.zbpp.gpu.device.Device). GEMMs are cuBLAS. Every reduction is done by one thread or one warp
// in a fixed order (no atomics), so results are deterministic run to run.
// Build: gpu-ops/scripts/build-ptx.sh (nvcc -ptx, compute_80), output shipped as a resource.

#define WARP 32

__device__ __forceinline__ float warpSum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffff, v, o);
  return v;
}

__device__ __forceinline__ float warpMax(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffff, v, o));
  return v;
}

extern "C" __global__ void encoder_forward(float* out, const float* tokens, const float* wte, const float* wpe,
                                           int B, int T, int C) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i >= (long)B * T * C) return;
  int c = i % C;
  long bt = i / C;
  int t = bt % T;
  int tok = (int)tokens[bt];
  out[i] = wte[(long)tok * C + c] + wpe[(long)t * C + c];
}

// One thread per channel c, looping over (b,t) in order: the CPU twin's accumulation order.
extern "C" __global__ void encoder_backward(float* dwte, float* dwpe, const float* dout, const float* tokens,
                                            int B, int T, int C) {
  int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  for (int b = 0; b < B; b++) {
    for (int t = 0; t < T; t++) {
      long bt = (long)b * T + t;
      int tok = (int)tokens[bt];
      float d = dout[bt * C + c];
      dwte[(long)tok * C + c] += d;
      dwpe[(long)t * C + c] += d;
    }
  }
}

extern "C" __global__ void bias_fill(float* out, const float* bias, int N, int OC) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i < (long)N * OC) out[i] = bias[i % OC];
}

extern "C" __global__ void bias_backward(float* dbias, const float* dout, int N, int OC) {
  int o = blockIdx.x * blockDim.x + threadIdx.x;
  if (o >= OC) return;
  float s = dbias[o];
  for (int n = 0; n < N; n++) s += dout[(long)n * OC + o];
  dbias[o] = s;
}

// One warp per row.
extern "C" __global__ void layernorm_forward(float* out, float* mean, float* rstd, const float* inp,
                                             const float* weight, const float* bias, int N, int C) {
  int row = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP;
  int lane = threadIdx.x % WARP;
  if (row >= N) return;
  const float* x = inp + (long)row * C;
  float s = 0.f;
  for (int i = lane; i < C; i += WARP) s += x[i];
  float m = warpSum(s) / C;
  float v = 0.f;
  for (int i = lane; i < C; i += WARP) { float d = x[i] - m; v += d * d; }
  v = warpSum(v) / C;
  float r = rsqrtf(v + 1e-5f);
  float* o = out + (long)row * C;
  for (int i = lane; i < C; i += WARP) o[i] = (r * (x[i] - m)) * weight[i] + bias[i];
  if (lane == 0) { mean[row] = m; rstd[row] = r; }
}

extern "C" __global__ void layernorm_backward_input(float* dinp, const float* dout, const float* inp,
                                                    const float* weight, const float* mean, const float* rstd,
                                                    int N, int C) {
  int row = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP;
  int lane = threadIdx.x % WARP;
  if (row >= N) return;
  long r0 = (long)row * C;
  float m = mean[row], s = rstd[row];
  float a = 0.f, b = 0.f;
  for (int i = lane; i < C; i += WARP) {
    float norm = (inp[r0 + i] - m) * s;
    float dnorm = weight[i] * dout[r0 + i];
    a += dnorm;
    b += dnorm * norm;
  }
  a = warpSum(a) / C;
  b = warpSum(b) / C;
  for (int i = lane; i < C; i += WARP) {
    float norm = (inp[r0 + i] - m) * s;
    float dnorm = weight[i] * dout[r0 + i];
    dinp[r0 + i] += (dnorm - a - norm * b) * s;
  }
}

// One thread per channel, rows in order (coalesced across channels).
extern "C" __global__ void layernorm_backward_weight(float* dweight, float* dbias, const float* dout,
                                                     const float* inp, const float* mean, const float* rstd,
                                                     int N, int C) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= C) return;
  float dw = dweight[i], db = dbias[i];
  for (int n = 0; n < N; n++) {
    long k = (long)n * C + i;
    float norm = (inp[k] - mean[n]) * rstd[n];
    db += dout[k];
    dw += norm * dout[k];
  }
  dweight[i] = dw;
  dbias[i] = db;
}

#define GELU_SCALE 0.7978845608028654f

extern "C" __global__ void gelu_forward(float* out, const float* inp, int N) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i >= N) return;
  float x = inp[i];
  float cube = 0.044715f * x * x * x;
  out[i] = 0.5f * x * (1.0f + tanhf(GELU_SCALE * (x + cube)));
}

extern "C" __global__ void gelu_backward(float* dinp, const float* inp, const float* dout, int N) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i >= N) return;
  float x = inp[i];
  float cube = 0.044715f * x * x * x;
  float th = tanhf(GELU_SCALE * (x + cube));
  float sech2 = 1.0f - th * th;
  float local = 0.5f * (1.0f + th) + x * 0.5f * sech2 * GELU_SCALE * (1.0f + 3.0f * 0.044715f * x * x);
  dinp[i] = local * dout[i];
}

extern "C" __global__ void residual_forward(float* out, const float* a, const float* b, int N) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i < N) out[i] = a[i] + b[i];
}

extern "C" __global__ void accumulate(float* dst, const float* src, int N) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i < N) dst[i] += src[i];
}

// Softmax cross-entropy, one warp per row.
extern "C" __global__ void crossentropy_forward(float* losses, float* probs, const float* logits,
                                                const float* targets, int N, int V) {
  int row = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP;
  int lane = threadIdx.x % WARP;
  if (row >= N) return;
  const float* l = logits + (long)row * V;
  float* p = probs + (long)row * V;
  float mx = -INFINITY;
  for (int i = lane; i < V; i += WARP) mx = fmaxf(mx, l[i]);
  mx = warpMax(mx);
  float s = 0.f;
  for (int i = lane; i < V; i += WARP) { float e = expf(l[i] - mx); p[i] = e; s += e; }
  s = warpSum(s);
  float inv = 1.f / s;
  for (int i = lane; i < V; i += WARP) p[i] *= inv;
  __syncwarp();
  if (lane == 0) losses[row] = -logf(p[(int)targets[row]]);
}

extern "C" __global__ void crossentropy_backward(float* dlogits, const float* probs, const float* targets,
                                                 float dloss, int N, int V) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i >= (long)N * V) return;
  int row = i / V;
  int v = i % V;
  float ind = v == (int)targets[row] ? 1.f : 0.f;
  dlogits[i] = (probs[i] - ind) * dloss;
}

extern "C" __global__ void adamw(float* param, const float* grad, float* m, float* v, int N, float lr,
                                 float beta1, float beta2, float eps, float wd, float c1, float c2) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i >= N) return;
  float g = grad[i];
  float mi = beta1 * m[i] + (1.f - beta1) * g;
  float vi = beta2 * v[i] + (1.f - beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  float mhat = mi / c1;
  float vhat = vi / c2;
  param[i] = param[i] * (1.f - lr * wd) - lr * mhat / (sqrtf(vhat) + eps);
}

// Per-block partial sums of squares in double (grid-stride, fixed order per block); the host sums partials.
extern "C" __global__ void sum_squares(double* partial, const float* x, int N) {
  __shared__ double sh[256];
  double s = 0;
  for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < N; i += (long)gridDim.x * blockDim.x) {
    s += (double)x[i] * x[i];
  }
  sh[threadIdx.x] = s;
  __syncthreads();
  for (int w = blockDim.x / 2; w > 0; w >>= 1) {
    if (threadIdx.x < w) sh[threadIdx.x] += sh[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) partial[blockIdx.x] = sh[0];
}
