package io.zbpp.gpu.nn;

import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;

/** Layer norm over the last dimension C of x[N,C], with a learned scale (weight) and shift (bias). */
public final class LayerNorm {
  private final Device d;
  private final Param weight;
  private final Param bias;
  private final int C;

  /** What the forward keeps: the output and the per-row statistics mean[N], rstd[N]. */
  public record Out(Buf out, Buf mean, Buf rstd) {}

  public LayerNorm(Device d, Param weight, Param bias, int C) {
    this.d = d;
    this.weight = weight;
    this.bias = bias;
    this.C = C;
  }

  public Out forward(Buf x, int N) {
    Out o = new Out(d.alloc(N * C), d.alloc(N), d.alloc(N));
    d.layernormForward(o.out(), o.mean(), o.rstd(), x, weight.value(), bias.value(), N, C);
    return o;
  }

  /** B: dx[N,C] += the input gradient for dy (needs x, the statistics and the weight). */
  public void backwardInput(Buf dx, Buf dy, Buf x, Out o, int N) {
    d.layernormBackwardInput(dx, dy, x, weight.value(), o.mean(), o.rstd(), N, C);
  }

  /** W: dweight += Σ dy·x̂, dbias += Σ dy (needs dy, x and the statistics). */
  public void backwardWeight(Buf dy, Buf x, Out o, int N) {
    d.layernormBackwardWeight(weight.grad(), bias.grad(), dy, x, o.mean(), o.rstd(), N, C);
  }

  /** Fused backward in one pass over the rows: dx += …, parameter gradients += …. */
  public void backward(Buf dx, Buf dy, Buf x, Out o, int N) {
    d.layernormBackward(dx, weight.grad(), bias.grad(), dy, x, weight.value(), o.mean(), o.rstd(), N, C);
  }

  /** Frees the output and the statistics. */
  public void free(Out o) {
    d.free(o.out());
    d.free(o.mean());
    d.free(o.rstd());
  }
}
