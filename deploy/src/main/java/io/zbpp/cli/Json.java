package io.zbpp.cli;

import java.util.Collection;
import java.util.Map;

/**
 * A minimal JSON writer for the CLI's {@code --json} output: maps (insertion order kept), collections,
 * strings, numbers, booleans and {@code null}. Non-finite doubles are written as {@code null}, integral
 * doubles without a fraction ({@code 33}, not {@code 33.0}). The output is one line.
 */
public final class Json {
  private Json() {}

  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object value) {
    if (value == null) {
      sb.append("null");
    } else if (value instanceof String s) {
      string(sb, s);
    } else if (value instanceof Double || value instanceof Float) {
      number(sb, ((Number) value).doubleValue());
    } else if (value instanceof Number || value instanceof Boolean) {
      sb.append(value);
    } else if (value instanceof Map<?, ?> map) {
      object(sb, map);
    } else if (value instanceof Collection<?> list) {
      array(sb, list);
    } else if (value instanceof double[] a) {
      array(sb, java.util.Arrays.stream(a).boxed().toList());
    } else {
      throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
    }
  }

  private static void object(StringBuilder sb, Map<?, ?> map) {
    sb.append('{');
    boolean first = true;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      string(sb, String.valueOf(e.getKey()));
      sb.append(':');
      write(sb, e.getValue());
    }
    sb.append('}');
  }

  private static void array(StringBuilder sb, Collection<?> list) {
    sb.append('[');
    boolean first = true;
    for (Object o : list) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      write(sb, o);
    }
    sb.append(']');
  }

  private static void number(StringBuilder sb, double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      sb.append("null");
    } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      sb.append((long) d);
    } else {
      sb.append(d);
    }
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
