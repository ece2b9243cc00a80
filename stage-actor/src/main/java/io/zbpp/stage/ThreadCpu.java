package io.zbpp.stage;

import io.zbpp.protocol.msg.PassRecord;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The current thread's CPU clock, to tell how much of a pass's wall time its thread actually ran on a core:
 * with fewer cores than stage threads, the rest is waiting for one (a "bubble" the schedule did not make).
 */
final class ThreadCpu {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final boolean SUPPORTED = THREADS.isCurrentThreadCpuTimeSupported()
      && THREADS.isThreadCpuTimeEnabled();

  private ThreadCpu() {}

  /** CPU nanoseconds of the current thread so far, or {@link PassRecord#NO_CPU_TIME} where unsupported. */
  static long nanos() {
    return SUPPORTED ? THREADS.getCurrentThreadCpuTime() : PassRecord.NO_CPU_TIME;
  }
}
