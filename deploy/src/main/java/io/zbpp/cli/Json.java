package io.zbpp.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;

/**
 * The CLI's {@code --json} output through Jackson: maps keep their insertion order, the output is one line,
 * and doubles are written as the numbers they stand for: NaN and infinities (not JSON) as {@code null},
 * integral values without a fraction ({@code 33}, not {@code 33.0}), and everything else rounded to
 * {@link #SIGNIFICANT_DIGITS} significant digits, so that binary noise such as {@code 1152.5990000000015}
 * prints as {@code 1152.599}. Values compared bit for bit (the losses that every schedule must reproduce exactly)
 * are wrapped in {@link Exact} and written with every digit, so that they parse back to the same double.
 */
public final class Json {
  /**
   * Digits kept of a double: a double holds 15.9, and the last digit or two of a computed value are rounding
   * noise; 15 keep every meaningful digit.
   */
  static final int SIGNIFICANT_DIGITS = 15;

  private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new SimpleModule("zbpp-numbers")
      .addSerializer(Double.class, new RoundedDouble()).addSerializer(double.class, new RoundedDouble())
      .addSerializer(Float.class, new RoundedFloat()).addSerializer(double[].class, new RoundedDoubles())
      .addSerializer(Exact.class, new ExactSerializer()));

  private Json() {}

  /** A double written with all its digits (it parses back to the same value); non-finite as null. */
  public record Exact(double value) {}

  /** The values as {@link Exact}s, e.g. losses that must compare bit for bit. */
  public static java.util.List<Exact> exact(java.util.List<Double> values) {
    return values.stream().map(Exact::new).toList();
  }

  /** {@code value} (maps, collections, arrays, strings, numbers, booleans, null) as one line of JSON. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON", e);
    }
  }

  /** The JSON text of {@code d}: null, an integer, or the decimal rounded to the significant digits. */
  static String number(double d) {
    if (!Double.isFinite(d)) {
      return "null";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    BigDecimal r = new BigDecimal(d).round(new MathContext(SIGNIFICANT_DIGITS)).stripTrailingZeros();
    double abs = Math.abs(d);
    return abs >= 1e-6 && abs < 1e15 ? r.toPlainString() : r.toString();
  }

  private static final class RoundedDouble extends JsonSerializer<Double> {
    @Override
    public void serialize(Double value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      writeNumber(gen, value);
    }
  }

  private static final class RoundedFloat extends JsonSerializer<Float> {
    @Override
    public void serialize(Float value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      writeNumber(gen, Double.parseDouble(Float.toString(value)));
    }
  }

  private static final class RoundedDoubles extends JsonSerializer<double[]> {
    @Override
    public void serialize(double[] values, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      gen.writeStartArray();
      for (double d : values) {
        writeNumber(gen, d);
      }
      gen.writeEndArray();
    }
  }

  private static final class ExactSerializer extends JsonSerializer<Exact> {
    @Override
    public void serialize(Exact value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
      if (Double.isFinite(value.value())) {
        gen.writeNumber(value.value());
      } else {
        gen.writeNull();
      }
    }
  }

  private static void writeNumber(JsonGenerator gen, double d) throws IOException {
    String text = number(d);
    if (text.equals("null")) {
      gen.writeNull();
    } else {
      gen.writeNumber(text);
    }
  }
}
