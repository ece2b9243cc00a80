package io.zbpp.protocol.msg;

import java.time.Instant;

/**
 * The clock of {@link PassRecord} timestamps: {@link System#nanoTime()} shifted by one constant per JVM onto the
 * wall clock (nanoseconds since the epoch, read with {@link Instant#now()}, which has nanosecond resolution on
 * Linux). Differences within one JVM are exactly those of {@code nanoTime}; timestamps of stages in different JVMs
 * on one host compare to within the error of the two JVMs' offsets (a few microseconds: each offset is taken
 * from the tightest of several {@code nanoTime}/{@code Instant.now} bracketings), and across hosts to within the
 * hosts' clock synchronisation. The offset is taken once, so a step of the wall clock during a run (not NTP's
 * gradual slewing, which moves both clocks alike on Linux) shifts the JVMs apart.
 */
public final class PassClock {
  private static final int TRIES = 50;
  private static final long OFFSET_NANOS = measureOffset();

  private PassClock() {}

  /** {@code nanoTime} (a {@link System#nanoTime()} reading of this JVM) on the wall clock, ns since the epoch. */
  public static long of(long nanoTime) {
    return nanoTime + OFFSET_NANOS;
  }

  private static long measureOffset() {
    long best = Long.MAX_VALUE;
    long offset = 0;
    for (int i = 0; i < TRIES; i++) {
      long before = System.nanoTime();
      Instant wall = Instant.now();
      long after = System.nanoTime();
      if (after - before < best) {
        best = after - before;
        offset = wall.getEpochSecond() * 1_000_000_000L + wall.getNano() - (before + (after - before) / 2);
      }
    }
    return offset;
  }
}
