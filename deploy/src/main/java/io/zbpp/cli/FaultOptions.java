package io.zbpp.cli;

import io.zbpp.faults.Injection;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code zbpp train}'s fault options (docs/faults.md): faults to inject, the iteration watchdog, and how far
 * recovery goes. Checked here; the coordinator reads them from the job spec (fields 35–39) and checks each
 * injection against the job (stage, iteration, instruction index).
 */
public final class FaultOptions {
  /** The most recoveries a job may be allowed. */
  static final int MAX_RECOVERIES = 1000;
  /** The longest watchdog floor or recovery timeout, in seconds (a week). */
  static final double MAX_SECONDS = 7 * 24 * 3600;

  @Option(names = "--inject", paramLabel = "KIND:STAGE@ITERATION[.INDEX][xFACTOR]",
      description = "Inject a fault (repeatable; stages, iterations and indexes from 0): stage-exception, "
          + "kill-stage, kill-worker (stages on cluster workers), slow-stage (xFACTOR), e.g. kill-stage:1@2.5 stops "
          + "stage 1's actor before instruction 5 of iteration 2. The job recovers and ends as a fault-free run.")
  List<String> inject = new ArrayList<>();

  @Option(names = "--watchdog-factor", paramLabel = "F",
      description = "An iteration that takes F times the expected iteration time (the mean so far) is a fault; "
          + "at least 1 (default: 10).")
  Double watchdogFactor;

  @Option(names = "--watchdog-floor", paramLabel = "SECONDS",
      description = "The least time an iteration gets before the watchdog fires (default: 30).")
  Double watchdogFloor;

  @Option(names = "--max-recoveries", paramLabel = "N",
      description = "Recoveries a job may make before a fault fails it; 0: none (default: 3).")
  Integer maxRecoveries;

  @Option(names = "--recovery-timeout", paramLabel = "SECONDS",
      description = "How long a recovery waits for replacement stages (default: 30).")
  Double recoveryTimeout;

  /** @throws UsageException naming the first bad option */
  void check() {
    for (String i : inject) {
      try {
        Injection.parse(i);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--" + e.getMessage());
      }
    }
    if (watchdogFactor != null && !(watchdogFactor >= 1 && watchdogFactor <= 1e6)) {
      throw new UsageException("--watchdog-factor [" + watchdogFactor + "]: expected a number from 1 to 1e6");
    }
    seconds("--watchdog-floor", watchdogFloor);
    seconds("--recovery-timeout", recoveryTimeout);
    if (maxRecoveries != null) {
      Ranges.count("--max-recoveries", maxRecoveries, 0, MAX_RECOVERIES);
    }
  }

  private static void seconds(String option, Double value) {
    if (value != null && !(value > 0 && value <= MAX_SECONDS)) {
      throw new UsageException(option + " [" + value + "]: expected seconds > 0 and at most " + (long) MAX_SECONDS);
    }
  }
}
