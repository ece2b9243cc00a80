package io.zbpp.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metric families docs/observability.md lists in its tables (the first cell of each row), for tests. */
public final class DocumentedMetrics {
  private static final Path DOC = Path.of("..", "docs", "observability.md");
  private static final Pattern NAME = Pattern.compile("`(zbpp_[a-z_]+)`");

  private DocumentedMetrics() {}

  public static Set<String> families() throws IOException {
    Set<String> out = new TreeSet<>();
    for (String line : Files.readAllLines(DOC)) {
      if (line.startsWith("| `zbpp_")) {
        Matcher m = NAME.matcher(line.substring(0, line.indexOf('|', 1)));
        while (m.find()) {
          out.add(m.group(1));
        }
      }
    }
    return out;
  }
}
