package io.zbpp.runtime;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.zbpp.protocol.jobs.JobSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one map between the job spec's fields ({@link JobSpec}, lowerCamelCase as in spec files) and the
 * {@code zbpp train} options that set them, used in both directions: {@code zbpp train} builds its job spec
 * from its options ({@link #spec}), the job API turns a spec into those options ({@link #args}) so that one
 * function checks and resolves both, and messages are translated between option names (the command line's)
 * and field paths (the API's). The resolved job's own field names in the coordinator's messages
 * ({@code "stages [0]: must be at least 1"}) map to options too ({@link #message}).
 */
public final class JobSpecFlags {
  /** Each job spec field and its {@code zbpp train} option, in field-number order. */
  private static final Map<String, String> FLAGS = flags(
      "schedule", "--schedule", "stages", "--stages", "microbatches", "--microbatches", "chunks", "--chunks",
      "iterations", "--iterations", "model", "--model", "backend", "--backend", "seed", "--seed",
      "microbatchSize", "--microbatch-size", "costF", "--cost-f", "costB", "--cost-b", "costW", "--cost-w",
      "costComm", "--cost-comm", "memLimit", "--mem-limit", "memLimitFactor", "--mem-limit-factor",
      "clipNorm", "--clip-norm", "postValidation", "--post-validation", "rollback", "--rollback",
      "injectNan", "--inject-nan", "memF", "--mem-f", "memB", "--mem-b", "memW", "--mem-w",
      "trueCostF", "--true-cost-f", "trueCostB", "--true-cost-b", "trueCostW", "--true-cost-w",
      "slowdown", "--slowdown", "timeScale", "--time-scale", "longRun", "--long-run", "dataPlane", "--data-plane",
      "replan", "--replan", "replanThreshold", "--replan-threshold",
      "checkpointEvery", "--checkpoint-every", "checkpointKeep", "--checkpoint-keep", "checkpointDir",
      "--checkpoint-dir", "resumeFrom", "--resume",
      "inject", "--inject", "watchdogFactor", "--watchdog-factor", "watchdogFloorSeconds", "--watchdog-floor",
      "maxRecoveries", "--max-recoveries", "recoveryTimeoutSeconds", "--recovery-timeout");

  /** Fields only the job API has: a job's label for people. */
  public static final Set<String> API_ONLY = Set.of("name");

  /** Fields {@link #args} always passes, so that an unset one is refused by name (0 or empty). */
  private static final Set<String> REQUIRED = Set.of("schedule", "stages", "microbatches", "iterations");

  /** The resolved job's fields that the coordinator's messages name, and the spec field each comes from. */
  private static final Map<String, String> RESOLVED = Map.ofEntries(Map.entry("stages", "stages"),
      Map.entry("microbatches", "microbatches"), Map.entry("chunksPerStage", "chunks"),
      Map.entry("iterations", "iterations"), Map.entry("schedule", "schedule"), Map.entry("costF", "costF"),
      Map.entry("costB", "costB"), Map.entry("costW", "costW"), Map.entry("memF", "memF"),
      Map.entry("memB", "memB"), Map.entry("memW", "memW"), Map.entry("memLimit", "memLimit"),
      Map.entry("memLimitFactor", "memLimitFactor"), Map.entry("optimizer.injectNan", "injectNan"),
      Map.entry("replan", "replan"), Map.entry("replanThreshold", "replanThreshold"),
      Map.entry("checkpointEvery", "checkpointEvery"), Map.entry("checkpointKeep", "checkpointKeep"),
      Map.entry("checkpointDir", "checkpointDir"), Map.entry("resumeFrom", "resumeFrom"),
      Map.entry("inject", "inject"), Map.entry("watchdogFactor", "watchdogFactor"),
      Map.entry("watchdogFloorSeconds", "watchdogFloorSeconds"), Map.entry("maxRecoveries", "maxRecoveries"),
      Map.entry("recoveryTimeoutSeconds", "recoveryTimeoutSeconds"));

  private JobSpecFlags() {}

  private static Map<String, String> flags(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Every field with an option, and the option, in field-number order. */
  public static Map<String, String> flags() {
    return FLAGS;
  }

  /** {@code message} with its leading resolved-job field replaced by the option that sets it. */
  public static String message(String message) {
    int at = message.indexOf(" [");
    if (at < 0) {
      return message;
    }
    String field = message.substring(0, at);
    String flag = field.equals("frameBytes") ? "frame-bytes" : FLAGS.get(RESOLVED.get(field));
    return flag == null ? message : flag + message.substring(at);
  }

  /** {@code message} with every option named by its spec field instead (longest options first). */
  public static String fieldNames(String message) {
    String m = message;
    for (Map.Entry<String, String> e : FLAGS.entrySet().stream()
        .sorted(Comparator.comparingInt((Map.Entry<String, String> x) -> x.getValue().length()).reversed())
        .toList()) {
      m = m.replace("'" + e.getValue() + "'", e.getKey()).replace(e.getValue(), e.getKey());
    }
    return m;
  }

  /** {@code zbpp train}'s arguments for {@code spec}: every field that is set, and the required ones. */
  public static List<String> args(JobSpec spec) {
    List<String> a = new ArrayList<>();
    for (FieldDescriptor f : JobSpec.getDescriptor().getFields()) {
      String flag = FLAGS.get(f.getJsonName());
      if (flag == null) {
        continue;
      }
      Object v = spec.getField(f);
      if (f.isRepeated()) {
        List<?> values = (List<?>) v;
        if (f.getJavaType() == FieldDescriptor.JavaType.STRING) {
          values.forEach(x -> a.addAll(List.of(flag, (String) x)));
        } else if (!values.isEmpty()) {
          a.addAll(List.of(flag, String.join(",", values.stream().map(JobSpecFlags::text).toList())));
        }
      } else if (v instanceof Boolean b) {
        if (b) {
          a.add(flag);
        }
      } else if (REQUIRED.contains(f.getJsonName()) || (f.hasPresence() ? spec.hasField(f) : !isDefault(v))) {
        a.addAll(List.of(flag, text(v)));
      }
    }
    return a;
  }

  private static boolean isDefault(Object v) {
    return v instanceof Number n ? n.doubleValue() == 0 : v.toString().isEmpty();
  }

  private static String text(Object v) {
    if (v instanceof Double d) {
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : Double.toString(d);
    }
    return v.toString();
  }

  /**
   * The job spec that {@code zbpp train}'s options give: each option given on the command line sets its field.
   * The values must have passed the options' checks (numbers that parse).
   *
   * @param given each option given and its value (a String, a number, a boolean or a list of Strings)
   */
  public static JobSpec spec(Map<String, Object> given) {
    JobSpec.Builder b = JobSpec.newBuilder();
    for (FieldDescriptor f : JobSpec.getDescriptor().getFields()) {
      String flag = FLAGS.get(f.getJsonName());
      Object v = flag == null ? null : given.get(flag);
      if (v == null) {
        continue;
      }
      if (f.isRepeated() && v instanceof List<?> values) {
        values.forEach(x -> b.addRepeatedField(f, x.toString()));
      } else if (f.isRepeated()) {
        for (String part : v.toString().split(",")) {
          b.addRepeatedField(f, Double.parseDouble(part.strip()));
        }
      } else {
        b.setField(f, value(f, v));
      }
    }
    return b.build();
  }

  private static Object value(FieldDescriptor f, Object v) {
    String s = v.toString().strip();
    return switch (f.getJavaType()) {
      case DOUBLE -> Double.parseDouble(s);
      case INT -> Integer.parseInt(s);
      case LONG -> Long.parseLong(s);
      case BOOLEAN -> Boolean.parseBoolean(s);
      default -> v.toString();
    };
  }
}
