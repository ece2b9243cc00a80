// Causal multi-head attention core, the CUDA twin of io.zbpp.gpu.cpu.CpuAttention. qkv[B,T,3C] (q | k | v,
// head h at channels h*hs...), att[B,NH,T,T] softmax (0 above the diagonal), out[B,T,C]. Every output element
// is one thread's loop in a fixed order (no atomics): deterministic. Plain loops, not flash attention.

#define WARP 32

__device__ __forceinline__ float warpSumA(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffff, v, o);
  return v;
}

__device__ __forceinline__ float warpMaxA(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffff, v, o));
  return v;
}

// att[b,h,t,t2] = q·k * scale for t2 <= t (pre-softmax), one thread per element.
extern "C" __global__ void attention_scores(float* att, const float* qkv, int B, int T, int C, int NH) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i >= (long)B * NH * T * T) return;
  int t2 = i % T;
  int t = (i / T) % T;
  int h = (i / ((long)T * T)) % NH;
  int b = i / ((long)NH * T * T);
  if (t2 > t) { att[i] = 0.f; return; }
  int hs = C / NH;
  const float* q = qkv + ((long)b * T + t) * 3 * C + h * hs;
  const float* k = qkv + ((long)b * T + t2) * 3 * C + C + h * hs;
  float d = 0.f;
  for (int j = 0; j < hs; j++) d += q[j] * k[j];
  att[i] = d * rsqrtf((float)hs);
}

// In-place causal softmax over each row att[b,h,t,0..t], one warp per row.
extern "C" __global__ void attention_softmax(float* att, int rows, int T) {
  int row = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP;
  int lane = threadIdx.x % WARP;
  if (row >= rows) return;
  int t = row % T;
  float* a = att + (long)row * T;
  float mx = -INFINITY;
  for (int j = lane; j <= t; j += WARP) mx = fmaxf(mx, a[j]);
  mx = warpMaxA(mx);
  float s = 0.f;
  for (int j = lane; j <= t; j += WARP) { float e = expf(a[j] - mx); a[j] = e; s += e; }
  s = warpSumA(s);
  float inv = 1.f / s;
  for (int j = lane; j < T; j += WARP) a[j] = j <= t ? a[j] * inv : 0.f;
}

// out[b,t,h*hs+j] = sum_{t2<=t} att[b,h,t,t2] * v[b,t2,h*hs+j].
extern "C" __global__ void attention_values(float* out, const float* att, const float* qkv, int B, int T, int C,
                                            int NH) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i >= (long)B * T * C) return;
  int c = i % C;
  int t = (i / C) % T;
  int b = i / ((long)T * C);
  int hs = C / NH;
  int h = c / hs;
  const float* a = att + (((long)b * NH + h) * T + t) * T;
  float s = 0.f;
  for (int t2 = 0; t2 <= t; t2++) s += a[t2] * qkv[((long)b * T + t2) * 3 * C + 2 * C + c];
  out[i] = s;
}

// datt[b,h,t,t2] = dout[b,t,h,:] . v[b,t2,h,:] for t2 <= t.
extern "C" __global__ void attention_datt(float* datt, const float* dout, const float* qkv, int B, int T, int C,
                                          int NH) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i >= (long)B * NH * T * T) return;
  int t2 = i % T;
  int t = (i / T) % T;
  int h = (i / ((long)T * T)) % NH;
  int b = i / ((long)NH * T * T);
  if (t2 > t) { datt[i] = 0.f; return; }
  int hs = C / NH;
  const float* d = dout + ((long)b * T + t) * C + h * hs;
  const float* v = qkv + ((long)b * T + t2) * 3 * C + 2 * C + h * hs;
  float s = 0.f;
  for (int j = 0; j < hs; j++) s += d[j] * v[j];
  datt[i] = s;
}

// In place: datt <- att * (datt - sum_j att*datt) * scale (softmax backward and the 1/sqrt(hs)), warp per row.
extern "C" __global__ void attention_softmax_backward(float* datt, const float* att, int rows, int T, float scale) {
  int row = blockIdx.x * (blockDim.x / WARP) + threadIdx.x / WARP;
  int lane = threadIdx.x % WARP;
  if (row >= rows) return;
  int t = row % T;
  float* d = datt + (long)row * T;
  const float* a = att + (long)row * T;
  float s = 0.f;
  for (int j = lane; j <= t; j += WARP) s += a[j] * d[j];
  s = warpSumA(s);
  for (int j = lane; j <= t; j += WARP) d[j] = a[j] * (d[j] - s) * scale;
}

// dq, dk, dv into dqkv[B,T,3C] from dpre (= datt after softmax backward), att and dout; one thread per element.
extern "C" __global__ void attention_dqkv(float* dqkv, const float* dpre, const float* att, const float* dout,
                                          const float* qkv, int B, int T, int C, int NH) {
  long i = blockIdx.x * (long)blockDim.x + threadIdx.x;
  if (i >= (long)B * T * 3 * C) return;
  int c3 = i % (3 * C);
  int t = (i / (3 * C)) % T;
  int b = i / ((long)T * 3 * C);
  int part = c3 / C;
  int c = c3 % C;
  int hs = C / NH;
  int h = c / hs;
  long rowBase = ((long)b * NH + h) * T;
  float s = 0.f;
  if (part == 0) {  // dq[t] = sum_{t2<=t} dpre[t,t2] k[t2]
    for (int t2 = 0; t2 <= t; t2++) s += dpre[(rowBase + t) * T + t2] * qkv[((long)b * T + t2) * 3 * C + C + c];
  } else if (part == 1) {  // dk[t] = sum_{t1>=t} dpre[t1,t] q[t1]
    for (int t1 = t; t1 < T; t1++) s += dpre[(rowBase + t1) * T + t] * qkv[((long)b * T + t1) * 3 * C + c];
  } else {  // dv[t] = sum_{t1>=t} att[t1,t] dout[t1]
    for (int t1 = t; t1 < T; t1++) s += att[(rowBase + t1) * T + t] * dout[((long)b * T + t1) * C + c];
  }
  dqkv[i] = s;
}
