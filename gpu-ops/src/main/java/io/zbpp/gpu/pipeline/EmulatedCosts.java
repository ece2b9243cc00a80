package io.zbpp.gpu.pipeline;

import java.time.Duration;
import java.util.Collections;
import java.util.List;

/**
 * What the emulated backend pretends, per chunk: the time of F, B and W (slept, not spun), and a memory model
 * — F adds {@code activationBytes}, B swaps them for {@code wStashBytes} (held until W), W frees those. So
 * ΔM(F) = +M_B, ΔM(B) = M_W − M_B, ΔM(W) = −M_W as in docs/design.md §2.
 */
public record EmulatedCosts(List<Duration> forward, List<Duration> backwardInput,
    List<Duration> backwardWeight, List<Long> activationBytes, List<Long> wStashBytes) {
  public EmulatedCosts {
    forward = List.copyOf(forward);
    backwardInput = List.copyOf(backwardInput);
    backwardWeight = List.copyOf(backwardWeight);
    activationBytes = List.copyOf(activationBytes);
    wStashBytes = List.copyOf(wStashBytes);
    int v = forward.size();
    if (backwardInput.size() != v || backwardWeight.size() != v || activationBytes.size() != v
        || wStashBytes.size() != v) {
      throw new IllegalArgumentException("emulated costs: every list must have one entry per chunk (" + v + ")");
    }
    for (List<Duration> l : List.of(forward, backwardInput, backwardWeight)) {
      for (Duration t : l) {
        if (t.isNegative()) {
          throw new IllegalArgumentException("emulated time [" + t + "]: must not be negative");
        }
      }
    }
    for (long b : activationBytes) {
      if (b < 0) {
        throw new IllegalArgumentException("emulated activationBytes [" + b + "]: must not be negative");
      }
    }
    for (long b : wStashBytes) {
      if (b < 0) {
        throw new IllegalArgumentException("emulated wStashBytes [" + b + "]: must not be negative");
      }
    }
  }

  /** The same costs for each of {@code chunks} chunks. */
  public static EmulatedCosts uniform(
      int chunks, Duration f, Duration b, Duration w, long activationBytes, long wStashBytes) {
    return new EmulatedCosts(Collections.nCopies(chunks, f), Collections.nCopies(chunks, b),
        Collections.nCopies(chunks, w), Collections.nCopies(chunks, activationBytes),
        Collections.nCopies(chunks, wStashBytes));
  }

  public int chunks() {
    return forward.size();
  }
}
