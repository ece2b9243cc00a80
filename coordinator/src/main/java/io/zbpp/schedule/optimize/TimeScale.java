package io.zbpp.schedule.optimize;

import io.zbpp.schedule.CostModel;

/**
 * The integral resolution of the CP-SAT model: a time t (in the cost model's unit, ms in the CLI) becomes
 * {@code round(t · unitsPerTime)} model units.
 *
 * <p>The scale is the smallest power of ten, 10^0 … 10^{@value #MAX_DECIMALS}, at which every pass time and
 * T_comm is an integer (within 10⁻⁶ of a unit); times given in ms with up to three decimals, like the paper's
 * profile, are exact at 1 µs. When no such power exists the scale is 10^{@value #MAX_DECIMALS} and
 * {@link #exact()} is false: each duration is then off by at most half a unit, which {@link Instance}
 * turns into a stated bound on the error of any plan's cost.
 *
 * @param unitsPerTime model units per time unit
 * @param exact whether every duration is an exact multiple of the resolution
 */
public record TimeScale(double unitsPerTime, boolean exact) {
  /** The finest resolution tried: 10⁻⁶ of the time unit (1 ns when times are in ms). */
  public static final int MAX_DECIMALS = 6;

  public TimeScale {
    if (!(unitsPerTime >= 1) || Double.isInfinite(unitsPerTime)) {
      throw new IllegalArgumentException("time scale [" + unitsPerTime + "]: must be a finite number >= 1");
    }
  }

  /** The coarsest power-of-ten scale at which all of the model's times are integral. */
  public static TimeScale of(CostModel costs) {
    return of(costs, 1);
  }

  /**
   * The coarsest power-of-ten scale at which T_comm and every chunk pass time (a stage's time divided by its v
   * chunks) are integral.
   */
  public static TimeScale of(CostModel costs, int chunksPerStage) {
    for (int k = 0; k <= MAX_DECIMALS; k++) {
      double s = Math.pow(10, k);
      if (allIntegral(costs, s, chunksPerStage)) {
        return new TimeScale(s, true);
      }
    }
    return new TimeScale(Math.pow(10, MAX_DECIMALS), false);
  }

  private static boolean allIntegral(CostModel c, double s, int v) {
    if (!integral(c.comm() * s)) {
      return false;
    }
    for (int i = 0; i < c.stages(); i++) {
      if (!integral(c.tf(i) / v * s) || !integral(c.tb(i) / v * s) || !integral(c.tw(i) / v * s)) {
        return false;
      }
    }
    return true;
  }

  private static boolean integral(double x) {
    return Math.abs(x - Math.rint(x)) <= 1e-6 && Math.abs(x) < 1e15;
  }

  /** A time in model units, rounded to the nearest unit. */
  public long units(double time) {
    return Math.round(time * unitsPerTime);
  }

  /** Model units back to time. */
  public double time(double units) {
    return units / unitsPerTime;
  }

  /** The resolution: the time one model unit stands for. */
  public double resolution() {
    return 1 / unitsPerTime;
  }
}
