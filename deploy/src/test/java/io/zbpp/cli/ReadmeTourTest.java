package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParseResult;

/**
 * The README's tour works from a fresh clone: every line of its code block is a {@code ./zbpp} command (no tool
 * outside the repository). The quick ones run exactly as written (output files in a temporary directory);
 * training commands, which take minutes, are parsed and have every input checked as {@code train} does before it
 * starts.
 */
class ReadmeTourTest {
  private static final Set<String> RUN = Set.of("schedule", "check", "paper");

  @Test
  void everyTourCommandIsAZbppCommandThatRunsOrPassesItsInputChecks(@TempDir Path dir) throws Exception {
    List<String[]> commands = tour(Files.readString(readme()));

    assertThat(commands).hasSizeGreaterThanOrEqualTo(5);
    int ran = 0;
    for (String[] raw : commands) {
      String[] args = Arrays.stream(raw).map(a -> a.matches("[\\w.-]+\\.(svg|plan|html)") ? dir.resolve(a).toString()
          : a).toArray(String[]::new);
      String line = String.join(" ", raw);
      ParseResult parsed = Main.commandLine().parseArgs(args);
      ParseResult leaf = parsed;
      while (leaf.subcommand() != null) {
        leaf = leaf.subcommand();
      }
      String name = leaf.commandSpec().name();
      if (RUN.contains(name)) {
        Cli r = Cli.run(args);
        assertThat(r.exit()).as(line + "\n" + r.err()).isZero();
        assertThat(r.err()).as(line).isEmpty();
        ran++;
      } else if (leaf.commandSpec().userObject() instanceof TrainCommand train) {
        assertThat(train.resolve()).as(line).isNotNull();
      }
    }
    assertThat(ran).isGreaterThanOrEqualTo(3);
    assertThat(dir.resolve("zb2p.plan")).exists();
  }

  /** The commands of the "## A tour" code block: continuation lines joined, comments dropped. */
  static List<String[]> tour(String readme) {
    String section = readme.substring(readme.indexOf("## A tour"));
    String block = section.substring(section.indexOf("```") + 3);
    block = block.substring(block.indexOf('\n') + 1, block.indexOf("```"));
    List<String[]> out = new ArrayList<>();
    StringBuilder cmd = new StringBuilder();
    for (String l : block.split("\n")) {
      String line = l.replaceFirst("\\s+#.*$", "").replaceFirst("^\\s*#.*$", "");
      if (line.isBlank()) {
        continue;
      }
      boolean more = line.endsWith("\\");
      cmd.append(' ').append(more ? line.substring(0, line.length() - 1) : line);
      if (!more) {
        String[] words = cmd.toString().strip().split("\\s+");
        assertThat(words[0]).as("a tour command runs zbpp from the clone").isEqualTo("./zbpp");
        out.add(Arrays.copyOfRange(words, 1, words.length));
        cmd.setLength(0);
      }
    }
    return out;
  }

  private static Path readme() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("README.md"))) {
      p = p.getParent();
    }
    assertThat(p).as("README.md above " + Path.of("").toAbsolutePath()).isNotNull();
    return p.resolve("README.md");
  }
}
