package io.zbpp.stage;

import io.zbpp.faults.Injection;
import io.zbpp.faults.Injection.Kind;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The faults a stage injects in the epoch it loaded (docs/faults.md "Fault injection"), from its
 * {@code LoadProgram}: the actor asks {@link #killAt} before handing a batch over and cuts the batch before a kill
 * ({@link #limit}); the batch calls {@link #beforeOp} before each op (a stage exception throws there) and
 * {@link #slowed} after each compute pass (a slow stage sleeps the pass's time × (FACTOR − 1) more). Positions are
 * (iteration, program index); a fault without an index strikes at index 0. Read on the actor thread and the
 * stage's executor; immutable but for {@link #cancel}.
 */
final class StageFaults {
  private static final Logger LOG = LoggerFactory.getLogger(StageFaults.class);
  /** How long a slowed pass sleeps at a time before it checks whether the stage stopped. */
  private static final long SLICE_NANOS = 50_000_000L;

  private final List<Injection> mine;
  private volatile boolean cancelled;

  StageFaults(int stage, List<Injection> inject) {
    this.mine = inject.stream().filter(i -> i.stage() == stage).toList();
  }

  /** The kill-stage or kill-worker due at instruction {@code pc} of iteration {@code it}. */
  Optional<Injection> killAt(int it, int pc) {
    return mine.stream().filter(i -> isKill(i) && i.iteration() == it && i.at() == pc).findFirst();
  }

  /** The program index a batch starting at {@code pc} of iteration {@code it} must stop before (a kill). */
  int limit(int it, int pc, int programSize) {
    return mine.stream().filter(i -> isKill(i) && i.iteration() == it && i.at() > pc).mapToInt(Injection::at)
        .min().orElse(programSize);
  }

  private static boolean isKill(Injection i) {
    return i.kind() == Kind.KILL_STAGE || i.kind() == Kind.KILL_WORKER;
  }

  /** @throws InjectedFault for a stage-exception at this op */
  void beforeOp(int it, int index) {
    for (Injection i : mine) {
      if (i.kind() == Kind.STAGE_EXCEPTION && i.iteration() == it && i.at() == index) {
        throw new InjectedFault(i);
      }
    }
  }

  /** A compute pass at {@code index} of {@code it}: sleeps it out to FACTOR × its time when a slow-stage applies. */
  Computed slowed(int it, int index, Computed c) {
    double factor = mine.stream().filter(i -> i.kind() == Kind.SLOW_STAGE
        && (it > i.iteration() || it == i.iteration() && index >= i.at())).mapToDouble(Injection::factor)
        .max().orElse(1);
    if (c == null || factor <= 1) {
      return c;
    }
    long until = c.endNanos() + (long) ((factor - 1) * (c.endNanos() - c.startNanos()));
    for (long now = System.nanoTime(); now < until && !cancelled; now = System.nanoTime()) {
      LockSupport.parkNanos(Math.min(SLICE_NANOS, until - now));
    }
    return new Computed(c.output(), c.loss(), c.startNanos(), System.nanoTime(), c.bytesHeld(), c.rejected(),
        c.cpuNanos());
  }

  /** The stage stopped: a slowed pass stops sleeping. */
  void cancel() {
    cancelled = true;
  }

  boolean isEmpty() {
    return mine.isEmpty();
  }

  static void logStrike(int stage, Injection i, String what) {
    LOG.warn("stage {}: injected fault {}: {}", stage, i, what);
  }

  /** The exception a stage-exception injection throws. */
  static final class InjectedFault extends RuntimeException {
    InjectedFault(Injection i) {
      super("injected fault " + i);
    }
  }
}
