package io.zbpp.schedule;

import io.zbpp.schedule.algorithms.GPipe;
import io.zbpp.schedule.algorithms.InterleavedOneFOneB;
import io.zbpp.schedule.algorithms.OneFOneB;
import io.zbpp.schedule.algorithms.ZeroBubbleH;
import io.zbpp.schedule.algorithms.ZeroBubbleV;
import io.zbpp.schedule.auto.AutoZeroBubble;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of scheduling algorithms by CLI name (docs/design.md: gpipe, 1f1b, 1f1b-i, zb-h1, zb-h2, zb-1p,
 * zb-2p, zb-auto, zb-v). The one place that lists them.
 */
public final class Schedules {
  private static final Map<String, Scheduler> BY_NAME = new LinkedHashMap<>();

  static {
    register(new GPipe());
    register(new OneFOneB());
    register(new InterleavedOneFOneB());
    register(ZeroBubbleH.h1());
    register(ZeroBubbleH.h2());
    register(AutoZeroBubble.oneP());
    register(AutoZeroBubble.twoP());
    register(AutoZeroBubble.auto());
    register(new ZeroBubbleV());
  }

  private Schedules() {}

  private static void register(Scheduler s) {
    BY_NAME.put(s.name(), s);
  }

  /** The names in the order they are listed to users. */
  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  /**
   * The scheduler of that name.
   *
   * @throws IllegalArgumentException naming the unknown value and the accepted ones
   */
  public static Scheduler byName(String name) {
    Scheduler s = BY_NAME.get(name);
    if (s == null) {
      throw new IllegalArgumentException(
          "schedule [" + name + "]: unknown; expected one of " + String.join(", ", names()));
    }
    return s;
  }
}
