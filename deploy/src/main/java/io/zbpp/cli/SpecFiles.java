package io.zbpp.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.zbpp.protocol.jobs.JobSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Job spec files: YAML ({@code .yaml}, {@code .yml}) or JSON, with the proto's field names in lowerCamelCase
 * (jobs.proto {@code JobSpec}). YAML is converted to JSON and both are read with the proto JSON mapping; an
 * unknown field or a value of the wrong type is a {@link UsageException} naming the file and the field.
 */
final class SpecFiles {
  private SpecFiles() {}

  /** Reads a spec file. */
  static JobSpec read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new UsageException("SPEC [" + file + "]: no such file");
    } catch (IOException e) {
      throw new UsageException("SPEC [" + file + "]: cannot read: " + e.getMessage());
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
    return parse(file.toString(), text, yaml);
  }

  /** Parses a spec from YAML or JSON text; {@code source} names it in messages. */
  static JobSpec parse(String source, String text, boolean yaml) {
    JsonNode tree;
    try {
      tree = new ObjectMapper(yaml ? new YAMLFactory() : null).readTree(text);
    } catch (JsonProcessingException e) {
      throw new UsageException("SPEC [" + source + "]: " + where(e) + "not valid " + (yaml ? "YAML" : "JSON")
          + ": " + firstLine(e.getOriginalMessage()) + finite(e.getOriginalMessage())
          + (yaml ? "" : " (a spec is read as YAML only when its name ends in .yaml or .yml)"));
    }
    if (tree == null || !tree.isObject()) {
      throw new UsageException("SPEC [" + source + "]: expected a mapping of job spec fields (" + fields() + ")");
    }
    for (Iterator<String> it = tree.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (JobSpec.getDescriptor().getFields().stream()
          .noneMatch(f -> f.getJsonName().equals(field) || f.getName().equals(field))) {
        throw new UsageException("SPEC [" + source + "]: unknown field [" + field + "]; expected one of "
            + fields());
      }
    }
    JobSpec.Builder b = JobSpec.newBuilder();
    for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      ObjectNode one = JsonNodeFactory.instance.objectNode();
      one.set(field.getKey(), field.getValue());
      try {
        JsonFormat.parser().merge(one.toString(), b);
      } catch (InvalidProtocolBufferException e) {
        JsonNode v = field.getValue();
        throw new UsageException("SPEC [" + source + "]: " + field.getKey() + " [" + (v.isTextual() ? v.asText()
            : v.toString()) + "]: " + firstLine(e.getMessage()) + "; expected " + accepted(field.getKey()));
      }
    }
    return b.build();
  }

  /** "field [name] at line L, column C: " where the parser knows them. */
  private static String where(JsonProcessingException e) {
    StringBuilder w = new StringBuilder();
    if (e.getProcessor() instanceof JsonParser p) {
      try {
        String name = p.currentName();
        if (name != null) {
          w.append(name).append(": ");
        }
      } catch (IOException | RuntimeException ignored) {
        // no field name: the location alone
      }
    }
    JsonLocation at = e.getLocation();
    if (at != null && at.getLineNr() > 0) {
      w.append("line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr()).append(": ");
    }
    return w.toString();
  }

  /** YAML's .nan and .inf are numbers the spec does not take. */
  private static String finite(String message) {
    String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
    return m.contains(".nan") || m.contains(".inf") ? "; expected a finite number" : "";
  }

  private static String firstLine(String message) {
    return message == null ? "bad value" : message.lines().findFirst().orElse("bad value").strip();
  }

  /** What a field takes, from its proto type. */
  private static String accepted(String jsonName) {
    FieldDescriptor f = JobSpec.getDescriptor().getFields().stream()
        .filter(d -> d.getJsonName().equals(jsonName) || d.getName().equals(jsonName)).findFirst().orElseThrow();
    String one = switch (f.getJavaType()) {
      case INT -> "a whole number from -2147483648 to 2147483647";
      case LONG -> "a whole number";
      case DOUBLE, FLOAT -> "a finite number";
      case STRING -> "a string";
      default -> "a value of type " + f.getJavaType().name().toLowerCase(Locale.ROOT);
    };
    return f.isRepeated() ? "a list, each " + one + " (e.g. [8])" : one;
  }

  private static String fields() {
    List<String> names = new ArrayList<>();
    for (FieldDescriptor f : JobSpec.getDescriptor().getFields()) {
      names.add(f.getJsonName());
    }
    return String.join(", ", names);
  }
}
