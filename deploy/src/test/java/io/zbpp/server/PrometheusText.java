package io.zbpp.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of Prometheus' text exposition format (version 0.0.4), for tests: every line must be a
 * {@code # HELP}, a {@code # TYPE}, another comment, or a sample with a valid metric name, well-formed and
 * escaped labels and a float value; a family's TYPE comes before its samples, at most once; a family's samples
 * are contiguous and named as its type allows (counters {@code _total}, histograms {@code _bucket},
 * {@code _sum}, {@code _count}); no series appears twice; a histogram's buckets do not decrease and its
 * {@code +Inf} bucket equals its count. Anything else throws {@link IllegalArgumentException} naming the line.
 */
final class PrometheusText {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

  /** One sample: its full name (with suffix), its labels in order of appearance, its value. */
  record Sample(String name, Map<String, String> labels, double value) {
    /** The series' identity: name and sorted labels. */
    String series() {
      return name + new TreeMap<>(labels);
    }
  }

  /** A metric family: name, type, help and samples. */
  record Family(String name, String type, String help, List<Sample> samples) {}

  private PrometheusText() {}

  static Map<String, Family> parse(String text) {
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, String> helps = new LinkedHashMap<>();
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    Set<String> series = new java.util.HashSet<>();
    Set<String> closed = new java.util.HashSet<>();
    String current = null;
    String[] lines = text.split("\n", -1);
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new IllegalArgumentException("the text does not end with a line feed");
    }
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String where = "line " + (i + 1) + " [" + line + "]: ";
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        String[] parts = line.split(" ", 4);
        if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
          String name = parts[2];
          if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(where + "bad metric name");
          }
          if (parts[1].equals("TYPE")) {
            if (parts.length != 4 || !TYPES.contains(parts[3])) {
              throw new IllegalArgumentException(where + "bad type");
            }
            if (types.containsKey(name)) {
              throw new IllegalArgumentException(where + "second TYPE of " + name);
            }
            if (samples.containsKey(name)) {
              throw new IllegalArgumentException(where + "TYPE after samples of " + name);
            }
            types.put(name, parts[3]);
          } else {
            if (helps.containsKey(name)) {
              throw new IllegalArgumentException(where + "second HELP of " + name);
            }
            helps.put(name, parts.length == 4 ? unescapeHelp(parts[3], where) : "");
          }
        }
        continue;
      }
      Sample s = sample(line, where);
      String family = familyOf(s.name(), types);
      if (family == null) {
        throw new IllegalArgumentException(where + "sample of no family declared by TYPE");
      }
      if (!family.equals(current)) {
        if (closed.contains(family)) {
          throw new IllegalArgumentException(where + "samples of " + family + " are not contiguous");
        }
        if (current != null) {
          closed.add(current);
        }
        current = family;
      }
      if (!series.add(s.series())) {
        throw new IllegalArgumentException(where + "series appears twice");
      }
      samples.computeIfAbsent(family, k -> new ArrayList<>()).add(s);
    }
    Map<String, Family> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> t : types.entrySet()) {
      Family f = new Family(t.getKey(), t.getValue(), helps.getOrDefault(t.getKey(), ""),
          List.copyOf(samples.getOrDefault(t.getKey(), List.of())));
      if (f.type().equals("histogram")) {
        checkHistogram(f);
      }
      if (f.type().equals("counter")) {
        f.samples().stream().filter(x -> x.name().endsWith("_total") && !(x.value() >= 0)).findAny()
            .ifPresent(x -> {
              throw new IllegalArgumentException(x.series() + ": a counter below 0");
            });
      }
      out.put(f.name(), f);
    }
    return out;
  }

  /** The family a sample belongs to: its own name, or the name without a suffix its family's type allows. */
  private static String familyOf(String name, Map<String, String> types) {
    String type = types.get(name);
    if (type != null && !type.equals("counter") && !type.equals("histogram") && !type.equals("summary")) {
      return name;
    }
    for (String suffix : List.of("_total", "_created", "_bucket", "_sum", "_count")) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        String t = types.get(base);
        boolean allowed = t != null && switch (t) {
          case "counter" -> suffix.equals("_total") || suffix.equals("_created");
          case "histogram" -> !suffix.equals("_total");
          case "summary" -> suffix.equals("_sum") || suffix.equals("_count") || suffix.equals("_created");
          default -> false;
        };
        if (allowed) {
          return base;
        }
      }
    }
    // a counter family may itself be named ..._total (as the 1.x Java client writes it)
    return type != null && (type.equals("counter") || type.equals("summary")) ? name : null;
  }

  private static void checkHistogram(Family f) {
    Map<String, List<Sample>> bySeries = new LinkedHashMap<>();
    Map<String, Double> counts = new LinkedHashMap<>();
    for (Sample s : f.samples()) {
      Map<String, String> rest = new TreeMap<>(s.labels());
      rest.remove("le");
      if (s.name().endsWith("_bucket")) {
        if (!s.labels().containsKey("le")) {
          throw new IllegalArgumentException(s.series() + ": a bucket without le");
        }
        bySeries.computeIfAbsent(rest.toString(), k -> new ArrayList<>()).add(s);
      } else if (s.name().endsWith("_count")) {
        counts.put(rest.toString(), s.value());
      }
    }
    for (Map.Entry<String, List<Sample>> e : bySeries.entrySet()) {
      double previousLe = Double.NEGATIVE_INFINITY;
      double previous = 0;
      for (Sample b : e.getValue()) {
        double le = value(b.labels().get("le"), b.series());
        if (le <= previousLe || b.value() < previous) {
          throw new IllegalArgumentException(b.series() + ": buckets out of order or decreasing");
        }
        previousLe = le;
        previous = b.value();
      }
      Sample last = e.getValue().get(e.getValue().size() - 1);
      if (!last.labels().get("le").equals("+Inf") || !counts.containsKey(e.getKey())
          || last.value() != counts.get(e.getKey())) {
        throw new IllegalArgumentException(f.name() + e.getKey() + ": no +Inf bucket equal to _count");
      }
    }
  }

  private static Sample sample(String line, String where) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(where + "bad metric name");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        if (eq < 0) {
          throw new IllegalArgumentException(where + "label without =");
        }
        String label = line.substring(i, eq);
        if (!LABEL.matcher(label).matches() || label.startsWith("__")) {
          throw new IllegalArgumentException(where + "bad label name " + label);
        }
        if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
          throw new IllegalArgumentException(where + "label value not quoted");
        }
        StringBuilder v = new StringBuilder();
        int j = eq + 2;
        for (; j < line.length() && line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            char n = j + 1 < line.length() ? line.charAt(++j) : ' ';
            switch (n) {
              case '\\' -> v.append('\\');
              case '"' -> v.append('"');
              case 'n' -> v.append('\n');
              default -> throw new IllegalArgumentException(where + "bad escape \\" + n);
            }
          } else {
            v.append(c);
          }
        }
        if (j >= line.length()) {
          throw new IllegalArgumentException(where + "unterminated label value");
        }
        if (labels.put(label, v.toString()) != null) {
          throw new IllegalArgumentException(where + "label " + label + " twice");
        }
        i = j + 1;
        if (i < line.length() && line.charAt(i) == ',') {
          i++;
        } else if (i >= line.length() || line.charAt(i) != '}') {
          throw new IllegalArgumentException(where + "expected , or }");
        }
      }
      i++;
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw new IllegalArgumentException(where + "no value");
    }
    String[] rest = line.substring(i + 1).split(" ", -1);
    if (rest.length < 1 || rest.length > 2) {
      throw new IllegalArgumentException(where + "expected a value and an optional timestamp");
    }
    double v = value(rest[0], where);
    if (rest.length == 2) {
      try {
        Long.parseLong(rest[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(where + "bad timestamp");
      }
    }
    return new Sample(name, labels, v);
  }

  private static double value(String s, String where) {
    switch (s) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        if (!s.matches("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
          throw new IllegalArgumentException(where + "bad value " + s);
        }
        return Double.parseDouble(s);
    }
  }

  private static String unescapeHelp(String help, String where) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < help.length(); i++) {
      char c = help.charAt(i);
      if (c == '\\') {
        char n = i + 1 < help.length() ? help.charAt(++i) : ' ';
        switch (n) {
          case '\\' -> b.append('\\');
          case 'n' -> b.append('\n');
          default -> throw new IllegalArgumentException(where + "bad escape in HELP \\" + n);
        }
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
