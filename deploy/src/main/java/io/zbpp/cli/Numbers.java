package io.zbpp.cli;

import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Parses the numeric option values of the CLI: plain decimal numbers only (no {@code NaN}, {@code Infinity},
 * hex or type suffixes), single or as per-stage comma lists, each inside a documented range (docs/cli.md,
 * "Ranges") so that every quantity derived from them (a plan's cost, its peak memory) stays finite. Every
 * failure is a {@link UsageException} whose message names the option, the offending text and what is accepted.
 */
public final class Numbers {
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  /**
   * The largest pass or communication time, in the cost model's unit: with at most
   * {@link PlanRun#MAX_PASSES} passes a plan's cost stays below 1e16, exact enough and finite.
   */
  public static final double MAX_TIME = 1e9;

  /** The largest magnitude of a memory delta or limit: a petabyte when the unit is bytes. */
  public static final double MAX_MEMORY = 1e15;

  private Numbers() {}

  /** One decimal number, or {@code null} when the text is not one (or overflows a double). */
  static Double decimal(String text) {
    String t = text.strip();
    if (!DECIMAL.matcher(t).matches()) {
      return null;
    }
    double d = Double.parseDouble(t);
    return Double.isFinite(d) ? d : null;
  }

  /**
   * A time: one number in [0, {@link #MAX_TIME}].
   *
   * @param option the option name for messages, e.g. {@code --cost-comm}
   */
  public static double time(String option, String text) {
    return check(option, text, decimal(text), true, false);
  }

  /**
   * A number in [{@code min}, {@code max}], described as {@code what} in messages (e.g. "a number > 0").
   *
   * @param minExclusive whether {@code min} itself is refused
   */
  static double inRange(String option, String text, double min, boolean minExclusive, double max) {
    Double d = decimal(text);
    String range = (minExclusive ? "> " : ">= ") + plain(min) + " and <= " + plain(max);
    if (d == null) {
      throw new UsageException(option + " [" + text + "]: not a number; expected a number " + range);
    }
    if (d < min || (minExclusive && d == min) || d > max) {
      throw new UsageException(option + " [" + text + "]: out of range; expected a number " + range);
    }
    return d;
  }

  /**
   * Per-stage values: one number for every stage, or a comma list with exactly one per stage.
   *
   * @param times whether the values are times (in [0, {@link #MAX_TIME}]) or memory deltas (magnitude at
   *     most {@link #MAX_MEMORY}, any sign)
   * @return one value per stage
   */
  public static double[] perStage(String option, String text, int stages, boolean times) {
    String[] parts = text.split(",", -1);
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].isBlank()) {
        throw new UsageException(option + " [" + text + "]: empty element at position " + (i + 1)
            + "; expected " + what(times) + ", or a comma list with one per stage");
      }
    }
    if (parts.length != 1 && parts.length != stages) {
      throw new UsageException(option + " [" + text + "]: " + parts.length + " values for " + stages
          + " stages; expected one value or " + stages + ", one per stage");
    }
    double[] out = new double[stages];
    for (int i = 0; i < parts.length; i++) {
      out[i] = check(option, parts[i].strip(), decimal(parts[i]), times, true);
    }
    if (parts.length == 1) {
      Arrays.fill(out, out[0]);
    }
    return out;
  }

  private static double check(String option, String text, Double d, boolean times, boolean list) {
    if (d == null) {
      throw new UsageException(option + " [" + text + "]: not a number; expected " + what(times)
          + (list ? ", or a comma list with one per stage" : ""));
    }
    if (times && d < 0) {
      throw new UsageException(option + " [" + text + "]: negative; expected " + what(true));
    }
    if (Math.abs(d) > (times ? MAX_TIME : MAX_MEMORY)) {
      throw new UsageException(option + " [" + text + "]: out of range; expected " + what(times));
    }
    return d;
  }

  private static String what(boolean times) {
    return times ? "a time >= 0 and <= " + plain(MAX_TIME)
        : "a number from -" + plain(MAX_MEMORY) + " to " + plain(MAX_MEMORY);
  }

  /** A bound as people write it: 1e9, 0, 0.5. */
  static String plain(double x) {
    if (x != 0 && x == Math.rint(x) && Math.abs(x) >= 1e6) {
      int exp = (int) Math.round(Math.log10(Math.abs(x)));
      if (Math.pow(10, exp) == Math.abs(x)) {
        return (x < 0 ? "-" : "") + "1e" + exp;
      }
    }
    return io.zbpp.schedule.render.Fmt.num(x);
  }
}
