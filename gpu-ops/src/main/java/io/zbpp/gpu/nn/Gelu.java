package io.zbpp.gpu.nn;

import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;

/** GELU (tanh approximation). No parameters: its W is empty, B needs the input. */
public final class Gelu {
  private final Device d;

  public Gelu(Device d) {
    this.d = d;
  }

  /** A new y[N]. */
  public Buf forward(Buf x, int N) {
    Buf y = d.alloc(N);
    d.geluForward(y, x, N);
    return y;
  }

  /** B: a new dx[N]. */
  public Buf backwardInput(Buf dy, Buf x, int N) {
    Buf dx = d.alloc(N);
    d.geluBackward(dx, x, dy, N);
    return dx;
  }

  /** W: nothing to do (no parameters); present so that every layer has the same three passes. */
  public void backwardWeight() {}
}
