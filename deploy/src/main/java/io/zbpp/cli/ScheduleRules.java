package io.zbpp.cli;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * What the CLI knows about individual schedules beyond the {@link io.zbpp.schedule.Schedules} registry: how
 * many chunks per stage each accepts (and its default), and the memory limit ZB-1p and ZB-2p impose
 * (docs/design.md §2: p·M_B and 2p·M_B, with M_B = ΔM(F) of stage 0). A schedule not listed here is single-chunk
 * and imposes no limit of its own.
 */
public final class ScheduleRules {
  /** Schedules that take v chunks per stage, and their default v. */
  private static final Map<String, Integer> MULTI_CHUNK_DEFAULT = Map.of("1f1b-i", 2, "zb-v", 2);
  /** Schedules that accept exactly one v. */
  private static final Map<String, Integer> FIXED_CHUNKS = Map.of("zb-v", 2);
  /** K of the limit K·p·ΔM(F) of stage 0 that a schedule plans under. */
  private static final Map<String, Double> LIMIT_FACTOR = Map.of("zb-1p", 1.0, "zb-2p", 2.0);

  private ScheduleRules() {}

  /** The chunks per stage used when {@code --chunks} is not given: 2 for 1f1b-i and zb-v, otherwise 1. */
  public static int defaultChunks(String schedule) {
    return MULTI_CHUNK_DEFAULT.getOrDefault(schedule, 1);
  }

  /**
   * Checks v against the schedule.
   *
   * @throws UsageException naming v and what the schedule accepts
   */
  public static void checkChunks(String schedule, int v) {
    if (v < 1) {
      throw new UsageException("--chunks [" + v + "]: must be at least 1");
    }
    Integer fixed = FIXED_CHUNKS.get(schedule);
    if (fixed != null && v != fixed) {
      throw new UsageException("--chunks [" + v + "]: " + schedule + " runs exactly " + fixed
          + " chunks per stage; expected " + fixed);
    }
    if (!MULTI_CHUNK_DEFAULT.containsKey(schedule) && v != 1) {
      throw new UsageException("--chunks [" + v + "]: " + schedule + " runs one chunk per stage; expected 1 "
          + "(multi-chunk schedules: " + String.join(", ", new java.util.TreeSet<>(MULTI_CHUNK_DEFAULT.keySet()))
          + ")");
    }
  }

  /** K for schedules that plan under K·p·ΔM(F) of stage 0 (zb-1p: 1, zb-2p: 2), empty for the others. */
  public static OptionalDouble limitFactor(String schedule) {
    Double k = LIMIT_FACTOR.get(schedule);
    return k == null ? OptionalDouble.empty() : OptionalDouble.of(k);
  }
}
