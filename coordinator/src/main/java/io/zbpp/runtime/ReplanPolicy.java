package io.zbpp.runtime;

import java.util.List;
import java.util.Locale;

/**
 * Whether and how eagerly a job re-plans from measured costs (docs/replan.md).
 *
 * @param mode {@link Mode#OFF}, {@link Mode#ONCE} (once, after the estimates settled) or {@link Mode#CONTINUOUS}
 * @param threshold the smallest predicted gain that swaps plans, a fraction of the running plan's predicted
 *     iteration time (0.03: 3 %); 0 swaps to any different plan that is predicted no slower
 */
public record ReplanPolicy(Mode mode, double threshold) {
  /** The threshold when none is given: 3 %. */
  public static final double DEFAULT_THRESHOLD = 0.03;

  /** The schedules re-planning works for: the automatic scheduler's. */
  public static final List<String> AUTOMATIC = List.of("zb-1p", "zb-2p", "zb-auto");

  /** No re-planning. */
  public static final ReplanPolicy OFF = new ReplanPolicy(Mode.OFF, DEFAULT_THRESHOLD);

  public enum Mode {
    OFF, ONCE, CONTINUOUS;

    /** The name in job specs and on the command line. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public ReplanPolicy {
    if (!(threshold >= 0 && threshold < 1)) {
      throw new IllegalArgumentException("replanThreshold [" + threshold * 100 + "]: expected a percentage >= 0 "
          + "and < 100");
    }
  }

  /**
   * The policy of a job spec's fields: {@code mode} "" is the default for the schedule (continuous for the
   * automatic schedules, off for the handcrafted ones and a given plan text); {@code thresholdPercent} 0 is 3 %.
   *
   * @throws IllegalArgumentException naming the field: an unknown mode, a threshold out of range, or re-planning
   *     asked for a handcrafted schedule or a plan text
   */
  public static ReplanPolicy of(String mode, double thresholdPercent, String schedule, boolean planText) {
    boolean automatic = !planText && AUTOMATIC.contains(schedule);
    Mode m;
    if (mode.isEmpty()) {
      m = automatic ? Mode.CONTINUOUS : Mode.OFF;
    } else {
      try {
        m = Mode.valueOf(mode.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("replan [" + mode + "]: unknown; expected off, once or continuous");
      }
    }
    if (m != Mode.OFF && !automatic) {
      throw new IllegalArgumentException("replan [" + mode + "]: re-planning needs one of the automatic schedules "
          + String.join(", ", AUTOMATIC) + (planText ? ", not a plan text" : "; schedule is " + schedule));
    }
    if (!(thresholdPercent >= 0 && thresholdPercent < 100)) {
      throw new IllegalArgumentException("replanThreshold [" + thresholdPercent + "]: expected a percentage >= 0 "
          + "and < 100");
    }
    return new ReplanPolicy(m, thresholdPercent > 0 ? thresholdPercent / 100 : DEFAULT_THRESHOLD);
  }
}
