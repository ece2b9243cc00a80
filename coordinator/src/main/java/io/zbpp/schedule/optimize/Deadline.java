package io.zbpp.schedule.optimize;

/**
 * The optimizer's time budget. By default it is wall-clock time: it ends a fixed number of seconds after it
 * starts. With {@link SolverOptions#deterministic()} it is a budget of CP-SAT deterministic seconds instead:
 * every solver call is charged, in full, the time it is handed ({@link #take}), and nothing depends on the
 * clock, so the same options make the same calls, and find the same plan, however loaded the machine is. The
 * constructive searches only poll {@link #left}; their loops are bounded by their own counters.
 */
final class Deadline {
  private final long startNanos;
  private final double seconds;
  private final boolean deterministic;
  private double charged;

  /** A wall-clock budget of {@code seconds} from {@code startNanos} ({@link System#nanoTime}). */
  Deadline(long startNanos, double seconds) {
    this(startNanos, seconds, false);
  }

  private Deadline(long startNanos, double seconds, boolean deterministic) {
    this.startNanos = startNanos;
    this.seconds = seconds;
    this.deterministic = deterministic;
  }

  /** The budget of {@code opts}: deterministic seconds when its search is deterministic, else wall-clock. */
  static Deadline of(long startNanos, SolverOptions opts) {
    return new Deadline(startNanos, opts.timeLimitSeconds(), opts.deterministic());
  }

  /** Seconds left, never negative. */
  double left() {
    double spent = deterministic ? charged : (System.nanoTime() - startNanos) / 1e9;
    return Math.max(0, seconds - spent);
  }

  /** A budget of {@code fraction} of what is left now, in the same mode, starting now. */
  Deadline share(double fraction) {
    return new Deadline(System.nanoTime(), fraction * left(), deterministic);
  }

  /** Hands out at most {@code wanted} seconds for one solver call; a deterministic budget is charged them. */
  double take(double wanted) {
    double s = Math.min(wanted, left());
    if (deterministic) {
      charged += s;
    }
    return s;
  }
}
