package io.zbpp.gpu.device;

/**
 * The ops one pipeline chunk executes, over explicit buffers, llm.c style: every op is a forward/backward pair
 * and the backward of an op with parameters is split into its input half (B) and its weight half (W), as
 * docs/design.md §1 requires. Shape letters: {@code B} microbatch size, {@code T} sequence length, {@code C}
 * channels, {@code OC} output channels, {@code NH} heads, {@code Vp} vocabulary, {@code N} any element count.
 * All tensors are row-major float32. Token ids travel as float32 values holding exact integers (below 2^24).
 *
 * <p>Conventions: ops named {@code ...Forward} and {@code backwardInput} halves overwrite their output unless
 * they say "+=", weight halves always accumulate (+=) so that gradients sum over microbatches in call order.
 * The CPU implementation is the oracle; every CUDA kernel is checked against it with a tolerance named per op
 * ({@code CudaDeviceTest}). Not thread-safe: one chunk drives one device from one thread at a time.
 */
public interface Device extends AutoCloseable {
  Backend backend();

  /** A zero-filled buffer of {@code n} floats; may reuse storage freed earlier. */
  Buf alloc(int n);

  /** Returns a buffer's storage to the device's pool; the buffer must not be used afterwards. */
  void free(Buf buf);

  /** A new buffer holding a copy of {@code host}. */
  Buf upload(float[] host);

  /** A host copy of the buffer (waits for pending work). */
  float[] download(Buf buf);

  /** Overwrites {@code dst} with {@code host} (same length). */
  void write(Buf dst, float[] host);

  /** Bytes of buffers allocated and not yet freed. */
  long bytesInUse();

  /** out[B,T,C] = wte[token[b,t],:] + wpe[t,:]. */
  void encoderForward(Buf out, Buf tokens, Buf wte, Buf wpe, int B, int T, int C);

  /** dwte[token[b,t],:] += dout[b,t,:]; dwpe[t,:] += dout[b,t,:], in (b,t) order (the embedding's W). */
  void encoderBackward(Buf dwte, Buf dwpe, Buf dout, Buf tokens, int B, int T, int C);

  /** out[N,OC] = inp[N,C] · weight[OC,C]ᵀ + bias[OC] (bias may be null). */
  void matmulForward(Buf out, Buf inp, Buf weight, Buf bias, int N, int C, int OC);

  /** B half: dinp[N,C] = dout[N,OC] · weight[OC,C]. */
  void matmulBackwardInput(Buf dinp, Buf dout, Buf weight, int N, int C, int OC);

  /** W half: dweight[OC,C] += dout[N,OC]ᵀ · inp[N,C]; dbias[OC] += Σₙ dout[n,:] (dbias may be null). */
  void matmulBackwardWeight(Buf dweight, Buf dbias, Buf dout, Buf inp, int N, int C, int OC);

  /**
   * out[N,C] = (inp − mean) · rstd · weight + bias per row; also writes mean[N] and rstd[N] (eps 1e-5).
   */
  void layernormForward(Buf out, Buf mean, Buf rstd, Buf inp, Buf weight, Buf bias, int N, int C);

  /** B half: dinp[N,C] += the input gradient of the layer norm for dout. */
  void layernormBackwardInput(Buf dinp, Buf dout, Buf inp, Buf weight, Buf mean, Buf rstd, int N, int C);

  /** W half: dweight[C] += Σₙ dout·x̂; dbias[C] += Σₙ dout, rows in order. */
  void layernormBackwardWeight(Buf dweight, Buf dbias, Buf dout, Buf inp, Buf mean, Buf rstd, int N, int C);

  /**
   * Fused layer-norm backward, one pass over the rows (llm.c's form): the same results, bit for bit, as
   * {@link #layernormBackwardInput} followed by {@link #layernormBackwardWeight}.
   */
  void layernormBackward(
      Buf dinp, Buf dweight, Buf dbias, Buf dout, Buf inp, Buf weight, Buf mean, Buf rstd, int N, int C);

  /** out[N] = GELU(inp) (tanh approximation, as GPT-2). */
  void geluForward(Buf out, Buf inp, int N);

  /** dinp[N] = GELU'(inp) · dout. */
  void geluBackward(Buf dinp, Buf inp, Buf dout, int N);

  /**
   * Causal multi-head self-attention core. qkv[B,T,3C] holds q, k, v side by side, head h at channels
   * h·C/NH…; writes att[B,NH,T,T] (softmax, zero above the diagonal) and out[B,T,C].
   */
  void attentionForward(Buf out, Buf att, Buf qkv, int B, int T, int C, int NH);

  /** dqkv[B,T,3C] = the gradient of the attention core for dout[B,T,C], from qkv and att (no parameters). */
  void attentionBackward(Buf dqkv, Buf dout, Buf qkv, Buf att, int B, int T, int C, int NH);

  /** out[N] = a[N] + b[N]. */
  void residualForward(Buf out, Buf a, Buf b, int N);

  /** dst[N] += src[N]. */
  void accumulate(Buf dst, Buf src, int N);

  /**
   * Softmax cross-entropy: probs[N,Vp] = softmax(logits), losses[N] = −log probs[n, target[n]].
   */
  void crossEntropyForward(Buf losses, Buf probs, Buf logits, Buf targets, int N, int Vp);

  /** dlogits[N,Vp] = (probs − onehot(target)) · dloss. */
  void crossEntropyBackward(Buf dlogits, Buf probs, Buf targets, float dloss, int N, int Vp);

  /**
   * AdamW with decoupled weight decay (docs/design.md §6's form): m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
   * θ ← θ·(1 − lr·wd) − lr·m̂/(√v̂ + eps) with bias-corrected m̂, v̂ at step t ≥ 1. Leaves grad untouched.
   */
  void adamw(Buf param, Buf grad, Buf m, Buf v, int N, float lr, float beta1, float beta2, float eps,
      float weightDecay, int t);

  /** Σ x² in double, elements in order (NaN or ∞ propagate). */
  double sumSquares(Buf buf);

  /** buf[N] = 0. */
  void zero(Buf buf);

  @Override
  void close();
}
