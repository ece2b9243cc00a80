package io.zbpp.runtime;

import io.zbpp.protocol.msg.PassRecord;
import io.zbpp.protocol.msg.StageTrace;
import java.util.List;

/**
 * The bubble rate of what actually ran, with the paper's definition (docs/design.md §2) applied to measured times:
 * a stage's span runs from the start of its first compute pass to the end of its last; cost = the largest
 * span; the work is the busiest stage's total pass time, which is m·(mean T_F + mean T_B + mean T_W) of that
 * stage as measured; rate = (cost − work) / cost. With equal stages this is the paper's formula; with unequal
 * ones it matches {@link io.zbpp.schedule.Timeline}'s use of the largest per-stage work. LOSS and STEP are not
 * passes and do not count. Only differences of timestamps within one stage are used.
 */
public final class RealizedBubble {
  private RealizedBubble() {}

  public static double rate(List<StageTrace> stages) {
    long cost = 0;
    long work = 0;
    for (StageTrace t : stages) {
      if (t.passes().isEmpty()) {
        continue;
      }
      long first = Long.MAX_VALUE;
      long last = Long.MIN_VALUE;
      long busy = 0;
      for (PassRecord r : t.passes()) {
        first = Math.min(first, r.startNanos());
        last = Math.max(last, r.endNanos());
        busy += r.nanos();
      }
      cost = Math.max(cost, last - first);
      work = Math.max(work, busy);
    }
    return cost == 0 ? 0 : (double) (cost - work) / cost;
  }
}
