package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.zbpp.checkpoint.CheckpointStore;
import io.zbpp.checkpoint.DirectoryCheckpointStore;
import io.zbpp.protocol.checkpoint.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code zbpp checkpoint list|verify} and {@code zbpp bench checkpoint}, shortened. */
class CheckpointCommandTest {
  @TempDir
  Path dir;

  private void checkpoint(int iteration) throws IOException {
    CheckpointStore store = new DirectoryCheckpointStore(dir, 3);
    Manifest.Builder m = Manifest.newBuilder().setFormatVersion(1).setIteration(iteration).setJobId("train-1")
        .setStages(2).setCreated("2026-11-29T12:00:00Z");
    for (int s = 0; s < 2; s++) {
      m.addShards(store.writeShard(iteration, s, new byte[100 * (s + 1)]));
    }
    store.commit(m.build());
  }

  @Test
  void listsAndVerifiesAndNamesTheBadShard() throws IOException {
    checkpoint(5);
    checkpoint(10);
    new DirectoryCheckpointStore(dir, 3).writeShard(15, 0, new byte[7]); // no manifest yet

    Cli table = Cli.run("checkpoint", "list", dir.toString());
    assertThat(table.exit()).as(table.err()).isZero();
    assertThat(table.out().lines()).hasSize(4);
    assertThat(table.out()).contains("ckpt-000005", "ckpt-000010", "complete", "partial", "train-1");

    JsonArray rows = Cli.run("checkpoint", "list", dir.toString(), "--json").json().getAsJsonArray("checkpoints");
    assertThat(rows).hasSize(3);
    JsonObject ten = rows.get(1).getAsJsonObject();
    assertThat(ten.get("iteration").getAsInt()).isEqualTo(10);
    assertThat(ten.get("complete").getAsBoolean()).isTrue();
    assertThat(ten.get("shards").getAsInt()).isEqualTo(2);
    assertThat(rows.get(2).getAsJsonObject().get("complete").getAsBoolean()).isFalse();

    Cli ok = Cli.run("checkpoint", "verify", dir.toString());
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).startsWith("ckpt-000010: valid (2 shards, 300 bytes");

    Path shard = dir.resolve("ckpt-000010/stage-1.bin");
    byte[] b = Files.readAllBytes(shard);
    b[3] = 1;
    Files.write(shard, b);
    Cli bad = Cli.run("checkpoint", "verify", dir.toString());
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err().lines()).singleElement().asString()
        .startsWith("zbpp checkpoint verify: " + dir + "/ckpt-000010/stage-1.bin: SHA-256 ").endsWith("(corrupt)");
  }

  @Test
  void refusesWhatIsNoCheckpointDirectory() {
    Cli none = Cli.run("checkpoint", "verify", dir.toString());
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.err()).contains("no complete checkpoint");
    Cli missing = Cli.run("checkpoint", "list", dir.resolve("nope").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err().strip()).isEqualTo("DIR [" + dir.resolve("nope")
        + "]: not a directory; expected a --checkpoint-dir");
    assertThat(Cli.run("checkpoint").err().strip())
        .isEqualTo("zbpp checkpoint: missing command; expected one of list, verify");
  }

  @Test
  void benchComparesCheckpointsOffAndOnSideBySide() {
    Cli c = Cli.run("bench", "checkpoint", "--model", "tiny", "-p", "2", "-m", "2", "--iterations", "3", "--every",
        "2", "--repeat", "1", "--json");

    assertThat(c.exit()).as(c.err()).isZero();
    JsonArray rows = c.json().getAsJsonArray("rows");
    assertThat(rows.asList().stream().map(r -> r.getAsJsonObject().get("mode").getAsString()))
        .containsExactly("off", "every 2");
    assertThat(rows.get(0).getAsJsonObject().get("checkpoints").getAsInt()).isZero();
    assertThat(rows.get(1).getAsJsonObject().get("checkpoints").getAsInt()).isEqualTo(2);
    assertThat(rows.get(1).getAsJsonObject().get("checkpointBytes").getAsLong()).isPositive();
    assertThat(Cli.run("bench", "checkpoint", "--model", "1.5b").err().strip())
        .isEqualTo("--model [1.5b]: expected tiny or small (the cpu backend)");
    assertThat(Cli.run("bench", "checkpoint", "--every", "0").err().strip()).isEqualTo("--every [0]: must be at least 1");
  }
}
