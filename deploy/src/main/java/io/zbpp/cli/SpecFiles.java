package io.zbpp.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
      throw new UsageException("SPEC [" + source + "]: not valid " + (yaml ? "YAML" : "JSON") + ": "
          + e.getOriginalMessage());
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
    try {
      JsonFormat.parser().merge(tree.toString(), b);
    } catch (InvalidProtocolBufferException e) {
      throw new UsageException("SPEC [" + source + "]: " + e.getMessage().lines().findFirst().orElse("bad value"));
    }
    return b.build();
  }

  private static String fields() {
    List<String> names = new ArrayList<>();
    for (FieldDescriptor f : JobSpec.getDescriptor().getFields()) {
      names.add(f.getJsonName());
    }
    return String.join(", ", names);
  }
}
