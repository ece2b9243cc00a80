package io.zbpp.schedule.optimize;

/**
 * A valid per-stage order with its as-soon-as-possible start times and cost, in model units.
 *
 * @param order per-stage pass ids
 * @param start start time of every pass
 * @param cost largest span
 * @param sumOfEnds tie-breaker, see {@link Orders#sumOfEnds}
 */
record Incumbent(int[][] order, long[] start, long cost, long sumOfEnds) {
  /** The incumbent of an order, or null when the order deadlocks. */
  static Incumbent of(int[][] order, Instance in) {
    long[] start = Orders.asap(order, in);
    if (start == null) {
      return null;
    }
    return new Incumbent(order, start, Orders.cost(order, start, in), Orders.sumOfEnds(order, start, in));
  }

  /** Whether this is better than another: lower cost, then lower sum of ends. */
  boolean betterThan(Incumbent o) {
    return cost < o.cost || (cost == o.cost && sumOfEnds < o.sumOfEnds);
  }
}
