package io.zbpp.cli;

/**
 * The ranges of the CLI's whole-number options (docs/cli.md, "Ranges"), checked at the edge with one-line
 * messages that name the option, the value and the range.
 */
final class Ranges {
  /** The most iterations a run may ask for. */
  static final int MAX_ITERATIONS = 1_000_000;

  private Ranges() {}

  /**
   * Checks {@code min <= value <= max}.
   *
   * @throws UsageException naming the option, the value and the range
   */
  static int count(String option, long value, long min, long max) {
    if (value < min) {
      throw new UsageException(option + " [" + value + "]: must be at least " + min);
    }
    if (value > max) {
      throw new UsageException(option + " [" + value + "]: must be at most " + max);
    }
    return (int) value;
  }
}
