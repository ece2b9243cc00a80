package io.zbpp.gpu.nn;

import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;

/**
 * y[N,OC] = x[N,C] · Wᵀ + b. B needs only W (the parameter) and dy; W needs x and dy, so a stage that runs B
 * early must keep x and dy until W.
 */
public final class Linear {
  private final Device d;
  private final Param weight;
  private final Param bias;
  private final int inC;
  private final int outC;

  /** {@code bias} may be null (the LM head has none). */
  public Linear(Device d, Param weight, Param bias, int inC, int outC) {
    this.d = d;
    this.weight = weight;
    this.bias = bias;
    this.inC = inC;
    this.outC = outC;
  }

  /** A new y[N,OC]. */
  public Buf forward(Buf x, int N) {
    Buf y = d.alloc(N * outC);
    d.matmulForward(y, x, weight.value(), bias == null ? null : bias.value(), N, inC, outC);
    return y;
  }

  /** B: a new dx[N,C] = dy · W. */
  public Buf backwardInput(Buf dy, int N) {
    Buf dx = d.alloc(N * inC);
    d.matmulBackwardInput(dx, dy, weight.value(), N, inC, outC);
    return dx;
  }

  /** W: dW += dyᵀ · x, db += Σ dy. */
  public void backwardWeight(Buf dy, Buf x, int N) {
    d.matmulBackwardWeight(weight.grad(), bias == null ? null : bias.grad(), dy, x, N, inC, outC);
  }

  /** Fused backward (both halves at once): returns a new dx. */
  public Buf backward(Buf dy, Buf x, int N) {
    Buf dx = backwardInput(dy, N);
    backwardWeight(dy, x, N);
    return dx;
  }
}
