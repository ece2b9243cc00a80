package io.zbpp.runtime;

import java.util.Map;

/**
 * The one place that maps the job spec's fields, as the coordinator names them in its messages
 * ({@code "stages [0]: must be at least 1"}), to the {@code zbpp train} options that set them
 * ({@code "--stages [0]: must be at least 1"}). A message about a field without an option, or one that already
 * names an option, is left as it is.
 */
public final class JobSpecFlags {
  private static final Map<String, String> FLAGS = Map.ofEntries(
      Map.entry("stages", "--stages"),
      Map.entry("microbatches", "--microbatches"),
      Map.entry("chunksPerStage", "--chunks"),
      Map.entry("iterations", "--iterations"),
      Map.entry("schedule", "--schedule"),
      Map.entry("costF", "--cost-f"),
      Map.entry("costB", "--cost-b"),
      Map.entry("costW", "--cost-w"),
      Map.entry("memF", "--mem-f"),
      Map.entry("memB", "--mem-b"),
      Map.entry("memW", "--mem-w"),
      Map.entry("memLimit", "--mem-limit"),
      Map.entry("memLimitFactor", "--mem-limit-factor"),
      Map.entry("frameBytes", "frame-bytes"),
      Map.entry("optimizer.injectNan", "--inject-nan"));

  private JobSpecFlags() {}

  /** {@code message} with its leading job-spec field replaced by the option. */
  public static String message(String message) {
    int at = message.indexOf(" [");
    if (at < 0) {
      return message;
    }
    String flag = FLAGS.get(message.substring(0, at));
    return flag == null ? message : flag + message.substring(at);
  }

  /** The option that sets {@code field}, or the field itself when no option does. */
  public static String flag(String field) {
    return FLAGS.getOrDefault(field, field);
  }
}
