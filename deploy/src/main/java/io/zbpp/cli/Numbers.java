package io.zbpp.cli;

import java.util.regex.Pattern;

/**
 * Parses the numeric option values of the CLI: plain decimal numbers only (no {@code NaN}, {@code Infinity},
 * hex or type suffixes), single or as per-stage comma lists. Every failure is a {@link UsageException} whose
 * message names the option, the offending text and what is accepted.
 */
public final class Numbers {
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  private Numbers() {}

  /** One decimal number, or {@code null} when the text is not one. */
  static Double decimal(String text) {
    String t = text.strip();
    if (!DECIMAL.matcher(t).matches()) {
      return null;
    }
    double d = Double.parseDouble(t);
    return Double.isFinite(d) ? d : null;
  }

  /**
   * A time: one number ≥ 0.
   *
   * @param option the option name for messages, e.g. {@code --cost-comm}
   */
  public static double time(String option, String text) {
    Double d = decimal(text);
    if (d == null) {
      throw new UsageException(option + " [" + text + "]: not a number; expected a time >= 0");
    }
    if (d < 0) {
      throw new UsageException(option + " [" + text + "]: negative; expected a time >= 0");
    }
    return d;
  }

  /**
   * Per-stage values: one number for every stage, or a comma list with exactly one per stage.
   *
   * @param times whether the values are times (must be ≥ 0) or memory deltas (any sign)
   * @return one value per stage
   */
  public static double[] perStage(String option, String text, int stages, boolean times) {
    String[] parts = text.split(",", -1);
    if (parts.length != 1 && parts.length != stages) {
      throw new UsageException(option + " [" + text + "]: " + parts.length + " values for " + stages
          + " stages; expected one value or " + stages + ", one per stage");
    }
    String what = times ? "a time >= 0" : "a number";
    double[] out = new double[stages];
    for (int i = 0; i < parts.length; i++) {
      Double d = decimal(parts[i]);
      if (d == null) {
        throw new UsageException(option + " [" + parts[i].strip() + "]: not a number; expected " + what
            + ", or a comma list with one per stage");
      }
      if (times && d < 0) {
        throw new UsageException(option + " [" + parts[i].strip() + "]: negative; expected " + what);
      }
      out[i] = d;
    }
    if (parts.length == 1) {
      java.util.Arrays.fill(out, out[0]);
    }
    return out;
  }
}
