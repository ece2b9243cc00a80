package io.zbpp.compile;

import io.zbpp.protocol.msg.TensorKind;

/**
 * Adds the activation traffic: {@code SEND_F j.c} right after F(c, j) when chunk c+1 lives on another stage,
 * and {@code RECV_F j.c} right before F(c, j) when chunk c−1 does (the dataflow table,
 * {@link io.zbpp.protocol.msg.OpFlow}). Activations between two chunks of one stage (ZB-V's turn at the last
 * stage) stay local and get no ops.
 */
public final class InsertActivationComm implements LoweringPass {
  @Override
  public String name() {
    return "insert-activation-comm";
  }

  @Override
  public Programs apply(Programs in) {
    return Transfers.insert(in, TensorKind.ACTIVATION);
  }
}
