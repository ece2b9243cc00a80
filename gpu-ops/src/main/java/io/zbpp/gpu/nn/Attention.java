package io.zbpp.gpu.nn;

import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;

/**
 * The causal multi-head self-attention core between the qkv projection and the output projection (both
 * {@link Linear}s in {@link GptBlock}): no parameters of its own, so W is empty; B needs qkv and the softmax.
 */
public final class Attention {
  private final Device d;
  private final int C;
  private final int NH;

  /** What the forward keeps: out[B,T,C] and the softmax att[B,NH,T,T]. */
  public record Out(Buf out, Buf att) {}

  public Attention(Device d, int C, int NH) {
    this.d = d;
    this.C = C;
    this.NH = NH;
  }

  public Out forward(Buf qkv, int B, int T) {
    Out o = new Out(d.alloc(B * T * C), d.alloc(B * NH * T * T));
    d.attentionForward(o.out(), o.att(), qkv, B, T, C, NH);
    return o;
  }

  /** B: a new dqkv[B,T,3C]. */
  public Buf backwardInput(Buf dout, Buf qkv, Buf att, int B, int T) {
    Buf dqkv = d.alloc(B * T * 3 * C);
    d.attentionBackward(dqkv, dout, qkv, att, B, T, C, NH);
    return dqkv;
  }

  /** W: nothing to do (no parameters). */
  public void backwardWeight() {}
}
