package io.zbpp.schedule;

import java.util.ArrayList;
import java.util.List;

/**
 * The simulated execution of a plan (docs/design.md §2): every pass's start and end, each stage's span (start of its
 * first pass to end of its last), the cost (the largest span), the bubble rate and each stage's peak memory.
 *
 * <p>Bubble rate = (cost − m·(T_F+T_B+T_W)) / cost. With heterogeneous stages the work term is the largest
 * per-stage work m·max_i(T_F+T_B+T_W)_i, so that the rate stays a fraction of idle time on the busiest stage
 * and equals the paper's when costs are equal.
 */
public final class Timeline {
  private final Plan plan;
  private final double[][] start;
  private final double[][] end;
  private final double[] spans;
  private final double[] peakMemory;
  private final double cost;
  private final double bubbleRate;
  private final double makespan;

  Timeline(Plan plan, CostModel costs, double[][] start, double[][] end, double[] peakMemory) {
    this.plan = plan;
    this.start = start;
    this.end = end;
    this.peakMemory = peakMemory;
    int p = plan.stageCount();
    this.spans = new double[p];
    double c = 0;
    double first = Double.POSITIVE_INFINITY;
    double last = 0;
    for (int s = 0; s < p; s++) {
      int n = start[s].length;
      if (n > 0) {
        spans[s] = end[s][n - 1] - start[s][0];
        first = Math.min(first, start[s][0]);
        last = Math.max(last, end[s][n - 1]);
      }
      c = Math.max(c, spans[s]);
    }
    this.cost = c;
    this.makespan = first == Double.POSITIVE_INFINITY ? 0 : last - first;
    double work = plan.microbatches() * costs.maxWork();
    this.bubbleRate = c == 0 ? 0 : (c - work) / c;
  }

  public Plan plan() {
    return plan;
  }

  /** Start time of the k-th pass of stage s. */
  public double start(int stage, int k) {
    return start[stage][k];
  }

  /** End time of the k-th pass of stage s. */
  public double end(int stage, int k) {
    return end[stage][k];
  }

  public double span(int stage) {
    return spans[stage];
  }

  /** The cost: the largest stage span. */
  public double cost() {
    return cost;
  }

  public double bubbleRate() {
    return bubbleRate;
  }

  /** From the first start anywhere to the last end anywhere (≥ cost: includes the pipeline's skew). */
  public double makespan() {
    return makespan;
  }

  /** Peak of the running sum of memory deltas on a stage, starting from 0. */
  public double peakMemory(int stage) {
    return peakMemory[stage];
  }

  public List<Double> peakMemory() {
    List<Double> l = new ArrayList<>();
    for (double v : peakMemory) {
      l.add(v);
    }
    return l;
  }

  /** Total idle time of stage s inside its span. */
  public double idle(int stage) {
    double busy = 0;
    for (int k = 0; k < start[stage].length; k++) {
      busy += end[stage][k] - start[stage][k];
    }
    return spans[stage] - busy;
  }
}
