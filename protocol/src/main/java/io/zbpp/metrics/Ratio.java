package io.zbpp.metrics;

/** A gauge's current value, set by the recorder and read by the registry at each scrape. */
final class Ratio {
  private volatile double value;

  void set(double v) {
    value = v;
  }

  double get() {
    return value;
  }
}
