package io.zbpp.cli;

import java.util.Locale;
import java.util.Optional;

/**
 * {@code ZBPP_LOG_FORMAT}: {@code text} (the default, human-readable lines) or {@code json} (one JSON object per
 * line with the job, epoch, iteration and stage of the MDC). Read before logging starts; logback.xml picks the
 * appender named by the system property {@link #PROPERTY}.
 */
final class LogFormat {
  static final String VARIABLE = "ZBPP_LOG_FORMAT";
  static final String PROPERTY = "zbpp.log.format";

  private LogFormat() {}

  /**
   * Sets {@link #PROPERTY} from the variable's value {@code value} (absent or empty: text); answers the one line
   * for stderr when the value is neither {@code text} nor {@code json}.
   */
  static Optional<String> apply(String value) {
    String v = value == null || value.isBlank() ? "text" : value.trim().toLowerCase(Locale.ROOT);
    if (!v.equals("text") && !v.equals("json")) {
      return Optional.of(VARIABLE + " [" + value + "]: unknown log format; expected text or json");
    }
    System.setProperty(PROPERTY, v);
    return Optional.empty();
  }
}
