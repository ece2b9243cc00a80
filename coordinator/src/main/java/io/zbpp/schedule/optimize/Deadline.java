package io.zbpp.schedule.optimize;

/** The end of the optimizer's time budget, in wall-clock time. */
record Deadline(long startNanos, double seconds) {
  /** Seconds left, never negative. */
  double left() {
    return Math.max(0, seconds - (System.nanoTime() - startNanos) / 1e9);
  }
}
