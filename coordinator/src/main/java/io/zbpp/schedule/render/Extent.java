package io.zbpp.schedule.render;

import io.zbpp.schedule.Timeline;

/** Time extents of a timeline that both renderers scale by. */
final class Extent {
  private Extent() {}

  /** The shortest positive pass duration, or 1 when every pass takes no time. */
  static double shortestPass(Timeline t) {
    double q = Double.POSITIVE_INFINITY;
    for (int s = 0; s < t.plan().stageCount(); s++) {
      for (int k = 0; k < t.plan().stage(s).size(); k++) {
        double d = t.end(s, k) - t.start(s, k);
        if (d > 1e-9) {
          q = Math.min(q, d);
        }
      }
    }
    return q == Double.POSITIVE_INFINITY ? 1 : q;
  }

  /** The end of the last pass on any stage (the simulator starts time at 0), or 1 for an empty timeline. */
  static double end(Timeline t) {
    double e = 0;
    for (int s = 0; s < t.plan().stageCount(); s++) {
      int n = t.plan().stage(s).size();
      if (n > 0) {
        e = Math.max(e, t.end(s, n - 1));
      }
    }
    return e > 0 ? e : 1;
  }
}
