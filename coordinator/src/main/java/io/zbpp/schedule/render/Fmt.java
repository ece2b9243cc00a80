package io.zbpp.schedule.render;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/** Locale-independent number formatting shared by the renderers. */
public final class Fmt {
  private Fmt() {}

  /** A time or size for people: at most three decimals, no trailing zeros ({@code 33}, {@code 18.522}). */
  public static String num(double x) {
    if (Double.isNaN(x) || Double.isInfinite(x)) {
      return String.valueOf(x);
    }
    BigDecimal d = BigDecimal.valueOf(x).setScale(3, RoundingMode.HALF_EVEN).stripTrailingZeros();
    return d.signum() == 0 ? "0" : d.toPlainString();
  }

  /** A fraction as a percentage with two decimals: {@code 0.27272} → {@code 27.27%}. */
  public static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.2f%%", fraction * 100);
  }

  /** A coordinate for SVG: two decimals at most. */
  static String coord(double x) {
    BigDecimal d = BigDecimal.valueOf(x).setScale(2, RoundingMode.HALF_EVEN).stripTrailingZeros();
    return d.signum() == 0 ? "0" : d.toPlainString();
  }
}
