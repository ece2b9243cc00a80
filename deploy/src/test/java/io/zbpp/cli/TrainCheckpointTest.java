package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zbpp train --checkpoint-every/--checkpoint-dir/--resume} on the tiny model (zb-2p, p = 2, m = 2): a run
 * stopped after 3 iterations and resumed to 5 reports the losses and digest of one run of 5; bad values are one
 * line, exit 2.
 */
class TrainCheckpointTest {
  @TempDir
  Path dir;

  private static Cli train(int iterations, String... more) {
    String[] base = {"train", "--schedule", "zb-2p", "--model", "tiny", "--stages", "2", "--microbatches", "2",
        "--iterations", Integer.toString(iterations), "--seed", "7"};
    return Cli.run(Stream.concat(Stream.of(base), Stream.of(more)).toArray(String[]::new));
  }

  private static JsonObject json(Cli c) {
    assertThat(c.exit()).as(c.err()).isZero();
    return c.json();
  }

  @Test
  void aRunResumedFromItsCheckpointReportsWhatOneRunReports() {
    JsonObject whole = json(train(5, "--json"));
    assertThat(whole.get("checkpoints").getAsInt()).isZero();
    assertThat(whole.has("resumedFrom")).isFalse();

    Cli first = train(3, "--checkpoint-every", "2", "--checkpoint-dir", dir.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).contains("checkpoints: 2 written (");
    assertThat(Cli.run("checkpoint", "verify", dir.toString()).out()).startsWith("ckpt-000003: valid (2 shards");

    JsonObject resumed = json(train(5, "--resume", dir.toString(), "--checkpoint-every", "1", "--json"));

    assertThat(resumed.get("resumedFrom").getAsInt()).isEqualTo(3);
    assertThat(resumed.get("checkpoints").getAsInt()).isEqualTo(2); // 4 and 5, into the directory resumed from
    assertThat(resumed.get("checkpointsFailed").getAsInt()).isZero();
    assertThat(resumed.get("checkpointBytes").getAsLong()).isPositive();
    JsonArray all = whole.getAsJsonArray("losses");
    JsonArray tail = new JsonArray();
    for (int i = 3; i < 5; i++) {
      tail.add(all.get(i));
    }
    assertThat(resumed.getAsJsonArray("losses")).isEqualTo(tail);
    assertThat(resumed.get("paramsSha256")).isEqualTo(whole.get("paramsSha256"));
    assertThat(Cli.run("checkpoint", "verify", dir.toString()).out()).startsWith("ckpt-000005: valid");
  }

  @Test
  void badCheckpointOptionsAreOneLineExitTwo() {
    assertBad(train(3, "--checkpoint-every", "-1"), "--checkpoint-every [-1]: must be at least 0");
    assertBad(train(3, "--checkpoint-every", "2"), "--checkpoint-every [2]: needs --checkpoint-dir DIR");
    assertBad(train(3, "--checkpoint-keep", "0", "--checkpoint-every", "2", "--checkpoint-dir", dir.toString()),
        "--checkpoint-keep [0]: must be at least 1");
    assertBad(train(3, "--backend", "emulated", "--checkpoint-every", "2", "--checkpoint-dir", dir.toString()),
        "--checkpoint-every [2]: the emulated backend has no parameters to save; expected cpu or cuda");
    assertBad(Cli.run("train", "--schedule", "reference", "--model", "tiny", "--stages", "1", "--microbatches",
        "2", "--iterations", "2", "--resume",
        dir.toString()), "--resume [" + dir + "]: the reference trainer takes no checkpoints; expected a pipeline "
        + "schedule");
    assertBad(train(3, "--resume", dir.toString()), "--resume [" + dir.toAbsolutePath() + "]: no complete, valid "
        + "checkpoint (expected ckpt-NNNNNN/MANIFEST.json and its shards)");
    json(train(2, "--checkpoint-every", "2", "--checkpoint-dir", dir.toString(), "--json"));
    assertBad(Cli.run("train", "--schedule", "zb-2p", "--model", "tiny", "--stages", "2", "--microbatches", "3",
        "--iterations", "4", "--seed", "7", "--resume", dir.toString()), "--resume [" + dir.toAbsolutePath()
        + "]: ckpt-000002 has 2 microbatches; the job has 3");
  }

  private static void assertBad(Cli c, String line) {
    assertThat(c.exit()).as(c.out() + c.err()).isEqualTo(2);
    assertThat(c.err().strip()).isEqualTo(line);
  }
}
