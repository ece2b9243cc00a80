package io.zbpp.runtime;

import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The injected fault {@code kill-coordinator:0@ITERATION} (docs/faults.md): the coordinator's JVM halts as it
 * starts that iteration, like {@code kill -9} (no shutdown hook runs, the cluster is not left). Only a {@code zbpp
 * coordinator} process arms it — its job API's jobs survive it when a standby coordinator takes over; in any other
 * JVM (zbpp train, tests) a job that asks for it is refused with one line.
 */
public final class CoordinatorKill {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorKill.class);
  private static final AtomicReference<Runnable> HALT = new AtomicReference<>();

  private CoordinatorKill() {}

  /** This JVM is a coordinator process: an injected kill-coordinator runs {@code halt} (Runtime.halt). */
  public static void arm(Runnable halt) {
    HALT.set(halt);
  }

  /** This JVM no longer handles kill-coordinator (tests). */
  public static void disarm() {
    HALT.set(null);
  }

  static boolean armed() {
    return HALT.get() != null;
  }

  /** Halts this JVM for the injection {@code what}, if armed. */
  static void strike(String what) {
    Runnable halt = HALT.get();
    if (halt != null) {
      LOG.error("injected fault {}: the coordinator JVM halts", what);
      halt.run();
    }
  }
}
