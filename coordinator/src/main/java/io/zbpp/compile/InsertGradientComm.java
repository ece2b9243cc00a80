package io.zbpp.compile;

import io.zbpp.protocol.msg.TensorKind;

/**
 * Adds the gradient traffic: {@code RECV_B j.c} right before B or BW (c, j) when chunk c+1 lives on another
 * stage, and {@code SEND_B j.c} right after it when chunk c−1 does (the dataflow table,
 * {@link io.zbpp.protocol.msg.OpFlow}). A fused BW sends only after both parts are done, so its gradient
 * leaves later than a split B's (docs/design.md "Contracts", plan files).
 */
public final class InsertGradientComm implements LoweringPass {
  @Override
  public String name() {
    return "insert-gradient-comm";
  }

  @Override
  public Programs apply(Programs in) {
    return Transfers.insert(in, TensorKind.GRADIENT);
  }
}
