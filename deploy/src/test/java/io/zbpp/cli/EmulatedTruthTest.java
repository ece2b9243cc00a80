package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code zbpp train --true-cost-* / --slowdown}: the emulated stages sleep the true times while the planner
 * plans from {@code --cost-*}. Sleeps only make passes longer, so the tests check lower bounds.
 */
class EmulatedTruthTest {
  private static String[] args(String... more) {
    return Stream.concat(Stream.of("train", "--schedule", "1f1b", "--model", "tiny", "--stages", "2",
        "--microbatches", "2", "--backend", "emulated", "--cost-f", "1", "--cost-b", "1", "--cost-w", "1", "--json"),
        Stream.of(more)).toArray(String[]::new);
  }

  @Test
  void stagesSleepTheTrueTimesAndThePlannerKeepsItsOwn() {
    Cli c = Cli.run(args("--iterations", "2", "--true-cost-f", "1,15"));

    assertThat(c.exit()).as(c.err()).isZero();
    JsonObject o = c.json();
    // Stage 1 sleeps 15 ms per forward, two microbatches: at least 30 ms per iteration (planned: ~6 ms).
    for (var ms : o.getAsJsonArray("iterationMillis")) {
      assertThat(ms.getAsDouble()).isGreaterThanOrEqualTo(29.0);
    }
    assertThat(o.getAsJsonObject("costs").toString()).doesNotContain("15");
  }

  @Test
  void aSlowdownStartsAtItsIteration() {
    Cli c = Cli.run(args("--iterations", "3", "--slowdown", "1:12@2"));

    assertThat(c.exit()).as(c.err()).isZero();
    JsonArray ms = c.json().getAsJsonArray("iterationMillis");
    // From iteration 2 on stage 1's passes take 12 ms: F, B, W of two microbatches, 72 ms of sleeps. The
    // iteration's time is taken by the coordinator, from issuing it to hearing it is done, so it may miss the first
    // milliseconds of stage 1's work (69.5 ms was seen once on a loaded machine); before, an iteration takes ~6 ms.
    assertThat(ms.get(2).getAsDouble()).isGreaterThanOrEqualTo(60.0);
  }

  @Test
  void badTruthIsOneLineNamingTheOption() {
    expectBad("--true-cost-f [2]: only with --backend emulated", "train", "--schedule", "1f1b", "--model", "tiny",
        "--stages", "2", "--microbatches", "2", "--iterations", "1", "--true-cost-f", "2");
    expectBad("--slowdown [1:2]: expected STAGE:FACTOR@ITERATION", args("--iterations", "2", "--slowdown", "1:2"));
    expectBad("--slowdown [2:2@0]: expected STAGE < 2", args("--iterations", "2", "--slowdown", "2:2@0"));
    expectBad("--slowdown [1:2@5]: expected STAGE < 2 and ITERATION < 2", args("--iterations", "2", "--slowdown",
        "1:2@5"));
    expectBad("--slowdown [0]: out of range", args("--iterations", "2", "--slowdown", "1:0@1"));
    expectBad("--slowdown [1:2@0]: stage 1 is slowed twice", args("--iterations", "2", "--slowdown", "1:2@1",
        "--slowdown", "1:2@0"));
    expectBad("--true-cost-b [1,2,3]", args("--iterations", "2", "--true-cost-b", "1,2,3"));
  }

  private static void expectBad(String prefix, String... args) {
    Cli r = Cli.run(args);
    assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
    assertThat(r.err()).startsWith(prefix);
    assertThat(r.err().strip().lines()).hasSize(1);
  }
}
