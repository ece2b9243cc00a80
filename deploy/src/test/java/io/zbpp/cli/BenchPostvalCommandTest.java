package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code zbpp bench postval}, shortened: the three modes, their figures, and what it rejects. */
class BenchPostvalCommandTest {
  @Test
  void comparesNoCheckSynchronousAndPostValidationAsJson() {
    Cli c = Cli.run("bench", "postval", "--schedule", "1f1b", "--setting", "0", "--time-scale", "0.005",
        "--iterations", "2", "--repeat", "1", "--json");

    assertThat(c.exit()).as(c.err()).isZero();
    JsonObject o = c.json();
    assertThat(o.get("setting").getAsString()).isEqualTo("1.5B p=8 m=24");
    assertThat(o.get("schedule").getAsString()).isEqualTo("1f1b");
    JsonArray rows = o.getAsJsonArray("rows");
    assertThat(rows).hasSize(3);
    assertThat(rows.asList().stream().map(r -> r.getAsJsonObject().get("mode").getAsString()))
        .containsExactly("no check", "post-validation off", "post-validation on");
    for (var r : rows) {
      JsonObject row = r.getAsJsonObject();
      // one steady iteration: samples/s = m · b / its time, 24 microbatches of 6 sequences
      assertThat(row.get("samplesPerSecond").getAsDouble()).isCloseTo(24 * 6 * 1000.0
          / row.get("iterationMillis").getAsDouble(), within(1e-6 * row.get("samplesPerSecond").getAsDouble()));
    }
    assertThat(o.get("throughputPostValidationVsSync").getAsDouble()).isCloseTo(
        rows.get(2).getAsJsonObject().get("samplesPerSecond").getAsDouble()
            / rows.get(1).getAsJsonObject().get("samplesPerSecond").getAsDouble(), within(1e-12));
  }

  @Test
  void printsATableAndTheRatioWithoutJson() {
    Cli c = Cli.run("bench", "postval", "--schedule", "1f1b", "--time-scale", "0.005", "--iterations", "2",
        "--repeat", "1");

    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(c.out()).startsWith("1f1b 1.5B p=8 m=24, times x0.005: T_F ").contains("mode", "no check",
        "post-validation off", "post-validation on", "post-validation vs synchronous: ", "% throughput");
  }

  static Stream<Arguments> badInput() {
    return Stream.of(
        Arguments.of(new String[] {"bench", "postval", "--setting", "12"}, "--setting [12]: expected 0 to 11"),
        Arguments.of(new String[] {"bench", "postval", "--schedule", "nope"},
            "--schedule [nope]: unknown; expected one of " + String.join(", ", io.zbpp.schedule.Schedules.names())),
        Arguments.of(new String[] {"bench", "postval", "--iterations", "1"},
            "--iterations [1]: must be at least 2 (the first is left out)"),
        Arguments.of(new String[] {"bench", "postval", "--repeat", "0"}, "--repeat [0]: must be at least 1"),
        Arguments.of(new String[] {"bench", "postval", "--time-scale", "0"},
            "--time-scale [0.0]: expected a number > 0 and <= 1e6"));
  }

  @ParameterizedTest
  @MethodSource("badInput")
  void rejectsBadInputWithOneLine(String[] args, String message) {
    Cli c = Cli.run(args);

    assertThat(c.exit()).isEqualTo(2);
    assertThat(c.err()).isEqualTo(message + System.lineSeparator());
  }
}
