package io.zbpp.protocol.msg;

import java.util.List;

/**
 * What fault recovery did for a job (docs/faults.md): faults detected, recoveries made, iterations run again and
 * the time from each detection to the first replayed iteration, summed.
 *
 * @param events one line per fault: what was detected (with the watchdog's blocked instructions) and what the
 *     recovery did
 */
public record RecoveryStats(int faultsDetected, int recoveries, int iterationsReplayed, double recoverySeconds,
    List<String> events) {
  public RecoveryStats {
    events = List.copyOf(events);
  }

  /** No fault. */
  public static RecoveryStats none() {
    return new RecoveryStats(0, 0, 0, 0, List.of());
  }
}
