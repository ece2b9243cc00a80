package io.zbpp.stage;

import io.zbpp.dataplane.FrameFault;
import io.zbpp.faults.Injection;
import java.util.List;
import java.util.Optional;

/**
 * The frame kinds of a job's injections ({@code drop-frame}, {@code duplicate-frame}, {@code delay-frame},
 * {@code reorder-frame}, {@code corrupt-frame}) as the data plane's {@link FrameFault}s (docs/faults.md "Message
 * integrity"): STAGE is the sending stage, INDEX the tensor's index among its sends in the iteration (none: 0),
 * delay-frame's xFACTOR the delay in milliseconds.
 */
public final class FrameInjections {
  private FrameInjections() {}

  /** The frame faults among {@code inject}, in order; the other kinds are left out. */
  public static List<FrameFault> of(List<Injection> inject) {
    return inject.stream().map(FrameInjections::of).flatMap(Optional::stream).toList();
  }

  private static Optional<FrameFault> of(Injection i) {
    return FrameFault.Kind.parse(i.kind().text()).map(k -> new FrameFault(k, i.stage(), i.iteration(), i.at(),
        k == FrameFault.Kind.DELAY ? Math.max(1, Math.round(i.factor())) : 1));
  }
}
