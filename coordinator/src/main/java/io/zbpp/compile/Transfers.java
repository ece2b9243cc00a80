package io.zbpp.compile;

import io.zbpp.protocol.msg.Dataflow;
import io.zbpp.protocol.msg.ProgramInstruction;
import io.zbpp.protocol.msg.TensorKind;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link InsertActivationComm} and {@link InsertGradientComm} share: around every compute pass, the RECV
 * of its input and the SEND of its output when the other chunk lives on another stage, as the dataflow table
 * says ({@link Dataflow#receiveBefore}, {@link Dataflow#sendAfter}), for one kind of tensor.
 */
final class Transfers {
  private Transfers() {}

  static Programs insert(Programs in, TensorKind kind) {
    Dataflow flow = in.dataflow();
    return in.map(p -> {
      List<ProgramInstruction> out = new ArrayList<>();
      for (ProgramInstruction x : p.instructions()) {
        flow.receiveBefore(x).filter(r -> flow.moved(r, 0).kind() == kind).ifPresent(out::add);
        out.add(x);
        flow.sendAfter(x).filter(r -> flow.moved(r, 0).kind() == kind).ifPresent(out::add);
      }
      return out;
    });
  }
}
