package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code zbpp demo}, shortened: it trains, writes the timeline, and ends with text from the trained model. */
class DemoCommandTest {
  @Test
  void trainsWritesTheTimelineAndEndsWithSampledText(@TempDir Path dir) throws Exception {
    Path html = dir.resolve("demo.html");
    Cli c = Cli.run("demo", "--iterations", "2", "--sample-length", "30", "--timeline", html.toString());

    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(c.out()).contains("zb-2p  p=4 m=8 v=1  model small", "iteration 1/2  loss ",
        "loss ", "timeline written to " + html, "sampled from the trained model (temperature 0.7, seed 1):");
    String[] lines = c.out().strip().split("\\R");
    String last = String.join("\n", java.util.Arrays.copyOfRange(lines, indexOfSampleHeader(lines) + 1,
        lines.length));
    assertThat(last).startsWith("The ").hasSize(4 + 30);
    String page = Files.readString(html);
    assertThat(page).contains("zb-2p, p=4, m=8, iteration 2 of 2");
    TimelinePage.assertReadable(page, 4);
  }

  private static int indexOfSampleHeader(String[] lines) {
    for (int i = lines.length - 1; i >= 0; i--) {
      if (lines[i].startsWith("sampled from the trained model")) {
        return i;
      }
    }
    throw new AssertionError("no sample in the output");
  }

  @Test
  void rejectsANonPositiveIterationCount() {
    Cli c = Cli.run("demo", "--iterations", "0");

    assertThat(c.exit()).isEqualTo(2);
    assertThat(c.err()).isEqualTo("--iterations [0]: must be at least 1" + System.lineSeparator());
  }

  @Test
  void rejectsADirectoryAsTheTimelineBeforeTraining(@TempDir Path dir) {
    Cli c = Cli.run("demo", "--iterations", "1", "--timeline", dir.toString());

    assertThat(c.exit()).isEqualTo(2);
    assertThat(c.err()).isEqualTo("--timeline [" + dir + "]: is a directory; expected a file path"
        + System.lineSeparator());
    assertThat(c.out()).isEmpty();
  }
}
