package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code zbpp check}: a plan file validated and simulated as it is, with the schedule command's cost options. */
class CheckCommandTest {
  private static final String[] COSTS = {"--model", "1.5b", "--cost-f", "18.522", "--cost-b", "18.086",
      "--cost-w", "9.337", "--cost-comm", "0.601", "--json"};

  @Test
  void reportsTheSameCostBubbleAndMemoryAsTheScheduleThatWroteThePlan(@TempDir Path dir) {
    Path plan = dir.resolve("zb2p.plan");
    Cli s = Cli.run(concat(new String[] {"schedule", "--schedule", "zb-2p", "--stages", "8", "--microbatches", "24",
        "--plan-out", plan.toString()}, COSTS));
    Cli c = Cli.run(concat(new String[] {"check", plan.toString()}, COSTS));

    assertThat(c.exit()).as(c.err()).isZero();
    JsonObject planned = s.json();
    JsonObject checked = c.json();
    for (String field : new String[] {"cost", "bubbleRate", "makespan", "peakMemory", "valid", "passes"}) {
      assertThat(checked.get(field)).as(field).isEqualTo(planned.get(field));
    }
    assertThat(checked.get("schedule").getAsString()).isEqualTo("zb-2p");
  }

  @Test
  void aPlanMissingAPassIsInvalidWithItsProblemsListed(@TempDir Path dir) throws Exception {
    Path plan = dir.resolve("bad.plan");
    Files.writeString(plan, "0: F0 F1 B0 W0 B1\n1: F0 B0 W0 F1 B1 W1\n");

    Cli c = Cli.run("check", plan.toString());

    assertThat(c.exit()).isEqualTo(1);
    assertThat(c.out()).contains("INVALID", "problem: ");
  }

  @Test
  void aMalformedOrMissingFileIsBadInputNamingIt(@TempDir Path dir) throws Exception {
    Path plan = dir.resolve("junk.plan");
    Files.writeString(plan, "0: F0 X9\n");

    Cli junk = Cli.run("check", plan.toString());
    Cli missing = Cli.run("check", dir.resolve("none.plan").toString());

    assertThat(junk.exit()).isEqualTo(2);
    assertThat(junk.err()).startsWith("PLAN [" + plan + "]: ").contains("expected a plan file");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).isEqualTo("PLAN [" + dir.resolve("none.plan") + "]: no such file"
        + System.lineSeparator());
  }

  @Test
  void microbatchNumbersOutOfRangeAreNamedNotOverflowed(@TempDir Path dir) throws Exception {
    // F2147483648 was "For input string", F2147483647 wrapped m to -2147483648, F99999999 blamed --stages and
    // --microbatches, options check does not take.
    for (String token : new String[] {"F2147483648", "F2147483647", "F99999999", "F0.10000000"}) {
      Path plan = Files.writeString(dir.resolve("big.plan"), "0: F0 B0 W0 " + token + "\n");

      Cli r = Cli.run("check", plan.toString());

      assertThat(r.exit()).as(token).isEqualTo(2);
      assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
      assertThat(r.err()).startsWith("PLAN [" + plan + "]: line 1: bad token [" + token + "]: a number out of range")
          .contains("from 0 to 9999999");
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
