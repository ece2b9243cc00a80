package io.zbpp.gpu.pipeline;

import java.time.Duration;
import java.util.Collections;
import java.util.List;

/**
 * What the emulated backend pretends, per chunk: the time of F, B and W (slept, not spun), and a memory model
 * — F adds {@code activationBytes}, B swaps them for {@code wStashBytes} (held until W), W frees those. So
 * ΔM(F) = +M_B, ΔM(B) = M_W − M_B, ΔM(W) = −M_W as in docs/design.md §2.
 *
 * <p>A chunk may become slower mid-run: from iteration {@code slowFrom} (0-based) on, its passes take
 * {@code slowFactor} times as long (1 and {@link Integer#MAX_VALUE}: never).
 */
public record EmulatedCosts(List<Duration> forward, List<Duration> backwardInput,
    List<Duration> backwardWeight, List<Long> activationBytes, List<Long> wStashBytes, List<Double> slowFactor,
    List<Integer> slowFrom) {
  /** Costs that never change. */
  public EmulatedCosts(List<Duration> forward, List<Duration> backwardInput, List<Duration> backwardWeight,
      List<Long> activationBytes, List<Long> wStashBytes) {
    this(forward, backwardInput, backwardWeight, activationBytes, wStashBytes,
        Collections.nCopies(forward.size(), 1.0), Collections.nCopies(forward.size(), Integer.MAX_VALUE));
  }

  public EmulatedCosts {
    slowFactor = List.copyOf(slowFactor);
    slowFrom = List.copyOf(slowFrom);
    if (slowFactor.size() != forward.size() || slowFrom.size() != forward.size()) {
      throw new IllegalArgumentException("emulated slowdowns: one factor and one iteration per chunk ("
          + forward.size() + ")");
    }
    for (double f : slowFactor) {
      if (!(f > 0) || Double.isInfinite(f)) {
        throw new IllegalArgumentException("emulated slowdown factor [" + f + "]: must be a finite number > 0");
      }
    }
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

  /** These costs with chunk {@code chunk} {@code factor} times slower from iteration {@code from} on. */
  public EmulatedCosts withSlowdown(int chunk, double factor, int from) {
    List<Double> f = new java.util.ArrayList<>(slowFactor);
    List<Integer> i = new java.util.ArrayList<>(slowFrom);
    f.set(chunk, factor);
    i.set(chunk, from);
    return new EmulatedCosts(forward, backwardInput, backwardWeight, activationBytes, wStashBytes, f, i);
  }

  /** The time of a pass of {@code chunk} whose base time is {@code base}, in {@code iteration}. */
  public Duration at(int chunk, Duration base, int iteration) {
    double f = slowFactor.get(chunk);
    return iteration < slowFrom.get(chunk) || f == 1 ? base : Duration.ofNanos(Math.round(base.toNanos() * f));
  }
}
