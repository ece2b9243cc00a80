package io.zbpp.gpu.nn;

import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;

/**
 * The language-model head with its loss: logits[N,Vp] = x[N,C] · Wᵀ (no bias), then softmax cross-entropy
 * against targets[N]. The forward keeps the probabilities; B turns them into dlogits (kept for W) and dx.
 */
public final class LmHead {
  private final Device d;
  private final Linear proj;
  private final int vocab;

  /** What the forward keeps: probs[N,Vp], and the per-position losses on the host. */
  public record Out(Buf probs, float[] losses) {}

  /** What B produces: dx[N,C] for the stage below and dlogits[N,Vp] for W. */
  public record Grads(Buf dx, Buf dlogits) {}

  public LmHead(Device d, Param weight, int C, int vocab) {
    this.d = d;
    this.proj = new Linear(d, weight, null, C, vocab);
    this.vocab = vocab;
  }

  public Out forward(Buf x, Buf targets, int N) {
    Buf logits = proj.forward(x, N);
    Buf probs = d.alloc(N * vocab);
    Buf losses = d.alloc(N);
    d.crossEntropyForward(losses, probs, logits, targets, N, vocab);
    float[] host = d.download(losses);
    d.free(losses);
    d.free(logits);
    return new Out(probs, host);
  }

  /** B: dloss is the gradient of the objective per position (1/(N·m) for a mean over m microbatches). */
  public Grads backwardInput(Buf probs, Buf targets, float dloss, int N) {
    Buf dlogits = d.alloc(N * vocab);
    d.crossEntropyBackward(dlogits, probs, targets, dloss, N, vocab);
    return new Grads(proj.backwardInput(dlogits, N), dlogits);
  }

  /** W: dW += dlogitsᵀ · x. */
  public void backwardWeight(Buf dlogits, Buf x, int N) {
    proj.backwardWeight(dlogits, x, N);
  }
}
