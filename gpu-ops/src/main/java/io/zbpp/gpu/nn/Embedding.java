package io.zbpp.gpu.nn;

import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;

/**
 * Token plus position embedding, x[B,T,C] = wte[token] + wpe[t]. Its input is token ids, which have no
 * gradient, so B is empty and W does all the backward work.
 */
public final class Embedding {
  private final Device d;
  private final Param wte;
  private final Param wpe;
  private final int C;

  public Embedding(Device d, Param wte, Param wpe, int C) {
    this.d = d;
    this.wte = wte;
    this.wpe = wpe;
    this.C = C;
  }

  /** A new x[B,T,C] from tokens[B,T]. */
  public Buf forward(Buf tokens, int B, int T) {
    Buf x = d.alloc(B * T * C);
    d.encoderForward(x, tokens, wte.value(), wpe.value(), B, T, C);
    return x;
  }

  /** W: dwte, dwpe += scatter of dx[B,T,C]. */
  public void backwardWeight(Buf dx, Buf tokens, int B, int T) {
    d.encoderBackward(wte.grad(), wpe.grad(), dx, tokens, B, T, C);
  }
}
