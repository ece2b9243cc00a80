package io.zbpp.gpu.nn;

import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;
import java.util.List;

/**
 * A pre-LN GPT block on x[B,T,C]: r = x + proj(attn(qkv(ln1(x)))); y = r + fcproj(gelu(fc(ln2(r)))).
 *
 * <p>Ownership: {@link #forward} takes x and keeps it in {@link Acts}; its output belongs to the caller.
 * {@link #backwardInput} (B) takes dout, frees what only B needed (qkv, att, fch) and returns dx with a
 * {@link WStash} of exactly what W needs (layer inputs, their output gradients, norm statistics); {@link
 * #backwardWeight} (W) accumulates the parameter gradients and frees the stash. {@link #backward} is the fused
 * form (same arithmetic, frees everything); B then W gives bit-identical gradients.
 */
public final class GptBlock {
  private final Device d;
  private final int C;
  private final LayerNorm ln1;
  private final Linear qkv;
  private final Attention attn;
  private final Linear attProj;
  private final LayerNorm ln2;
  private final Linear fc;
  private final Gelu gelu;
  private final Linear fcProj;

  /** Activations the forward keeps for the backward of one microbatch. */
  public record Acts(Buf x, LayerNorm.Out ln1, Buf qkv, Attention.Out att, Buf res1, LayerNorm.Out ln2,
      Buf fch, Buf fchGelu) {}

  /**
   * What W needs after B: each linear layer's input and output gradient, 16·C floats per token. The two layer
   * norms' parameter gradients (O(N·C) work) are taken in B, which is what lets B drop their inputs, output
   * gradients and statistics (x, res1, dLn1, dLn2: 4·C per token) instead of keeping them until W; every
   * parameter gradient still accumulates over microbatches in the same (ascending) order, so B then W stays
   * bit-identical to the fused backward.
   */
  public record WStash(Buf ln1Out, Buf dQkv, Buf attOut, Buf dRes1, Buf ln2Out, Buf dFch, Buf fchGelu, Buf dout) {}

  /** B's result: the input gradient and the stash for W. */
  public record BResult(Buf dx, WStash stash) {}

  /** params in {@link io.zbpp.gpu.model.GptInit#blockParamNames} order. */
  public GptBlock(Device d, List<Param> p, int C, int NH) {
    this.d = d;
    this.C = C;
    this.ln1 = new LayerNorm(d, p.get(0), p.get(1), C);
    this.qkv = new Linear(d, p.get(2), p.get(3), C, 3 * C);
    this.attn = new Attention(d, C, NH);
    this.attProj = new Linear(d, p.get(4), p.get(5), C, C);
    this.ln2 = new LayerNorm(d, p.get(6), p.get(7), C);
    this.fc = new Linear(d, p.get(8), p.get(9), C, 4 * C);
    this.gelu = new Gelu(d);
    this.fcProj = new Linear(d, p.get(10), p.get(11), 4 * C, C);
  }

  /** F: returns a new y[B,T,C]; {@code acts[0]} receives what the backward needs. */
  public Buf forward(Buf x, int B, int T, Acts[] acts) {
    int N = B * T;
    LayerNorm.Out l1 = ln1.forward(x, N);
    Buf q = qkv.forward(l1.out(), N);
    Attention.Out a = attn.forward(q, B, T);
    Buf ap = attProj.forward(a.out(), N);
    Buf res1 = d.alloc(N * C);
    d.residualForward(res1, x, ap, N * C);
    d.free(ap);
    LayerNorm.Out l2 = ln2.forward(res1, N);
    Buf h = fc.forward(l2.out(), N);
    Buf g = gelu.forward(h, N * 4 * C);
    Buf fp = fcProj.forward(g, N);
    Buf y = d.alloc(N * C);
    d.residualForward(y, res1, fp, N * C);
    d.free(fp);
    acts[0] = new Acts(x, l1, q, a, res1, l2, h, g);
    return y;
  }

  /** B: takes ownership of dout; returns a new dx and the stash for W. */
  public BResult backwardInput(Acts a, Buf dout, int B, int T) {
    int N = B * T;
    Buf dG = fcProj.backwardInput(dout, N);
    Buf dFch = gelu.backwardInput(dG, a.fch(), N * 4 * C);
    d.free(dG);
    d.free(a.fch());
    Buf dLn2 = fc.backwardInput(dFch, N);
    Buf dRes1 = d.alloc(N * C);
    d.accumulate(dRes1, dout, N * C);
    ln2.backwardInput(dRes1, dLn2, a.res1(), a.ln2(), N);
    ln2.backwardWeight(dLn2, a.res1(), a.ln2(), N);
    d.free(dLn2);
    d.free(a.res1());
    freeStatistics(a.ln2());
    Buf dAtt = attProj.backwardInput(dRes1, N);
    Buf dQkv = attn.backwardInput(dAtt, a.qkv(), a.att().att(), B, T);
    d.free(dAtt);
    d.free(a.qkv());
    d.free(a.att().att());
    Buf dLn1 = qkv.backwardInput(dQkv, N);
    Buf dx = d.alloc(N * C);
    d.accumulate(dx, dRes1, N * C);
    ln1.backwardInput(dx, dLn1, a.x(), a.ln1(), N);
    ln1.backwardWeight(dLn1, a.x(), a.ln1(), N);
    d.free(dLn1);
    d.free(a.x());
    freeStatistics(a.ln1());
    WStash s = new WStash(a.ln1().out(), dQkv, a.att().out(), dRes1, a.ln2().out(), dFch, a.fchGelu(), dout);
    return new BResult(dx, s);
  }

  /** W: accumulates every parameter gradient from the stash, then frees it. */
  public void backwardWeight(WStash s, int B, int T) {
    int N = B * T;
    fcProj.backwardWeight(s.dout(), s.fchGelu(), N);
    fc.backwardWeight(s.dFch(), s.ln2Out(), N);
    attProj.backwardWeight(s.dRes1(), s.attOut(), N);
    qkv.backwardWeight(s.dQkv(), s.ln1Out(), N);
    free(s);
  }

  /** Fused backward: takes ownership of dout, frees all activations, returns a new dx. */
  public Buf backward(Acts a, Buf dout, int B, int T) {
    int N = B * T;
    Buf dG = fcProj.backward(dout, a.fchGelu(), N);
    Buf dFch = gelu.backwardInput(dG, a.fch(), N * 4 * C);
    Buf dLn2 = fc.backward(dFch, a.ln2().out(), N);
    Buf dRes1 = d.alloc(N * C);
    d.accumulate(dRes1, dout, N * C);
    ln2.backward(dRes1, dLn2, a.res1(), a.ln2(), N);
    Buf dAtt = attProj.backward(dRes1, a.att().out(), N);
    Buf dQkv = attn.backwardInput(dAtt, a.qkv(), a.att().att(), B, T);
    Buf dLn1 = qkv.backward(dQkv, a.ln1().out(), N);
    Buf dx = d.alloc(N * C);
    d.accumulate(dx, dRes1, N * C);
    ln1.backward(dx, dLn1, a.x(), a.ln1(), N);
    for (Buf b : new Buf[] {dG, dFch, dLn2, dRes1, dAtt, dQkv, dLn1, dout, a.qkv(), a.att().att(), a.fch()}) {
      d.free(b);
    }
    for (Buf b : new Buf[] {a.x(), a.att().out(), a.res1(), a.fchGelu()}) {
      d.free(b);
    }
    ln1.free(a.ln1());
    ln2.free(a.ln2());
    return dx;
  }

  private void free(WStash s) {
    for (Buf b : new Buf[] {s.ln1Out(), s.dQkv(), s.attOut(), s.dRes1(), s.ln2Out(), s.dFch(), s.fchGelu(),
        s.dout()}) {
      d.free(b);
    }
  }

  /** Frees a layer norm's mean and rstd, keeping its output (a linear layer's input that W needs). */
  private void freeStatistics(LayerNorm.Out o) {
    d.free(o.mean());
    d.free(o.rstd());
  }
}
