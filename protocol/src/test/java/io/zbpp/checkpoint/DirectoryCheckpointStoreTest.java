package io.zbpp.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.protocol.checkpoint.Manifest;
import io.zbpp.protocol.checkpoint.ShardEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directory store: atomic shards and manifest, SHA-256 checks, keep-K, fallback past a corrupt newest
 * checkpoint, and crash consistency — a write that dies at any step never yields a checkpoint that loads wrong.
 */
class DirectoryCheckpointStoreTest {
  private static final int STAGES = 3;

  @TempDir
  Path dir;

  /** A crash at a write step: a RuntimeException, so the store cleans nothing up (as after a real kill). */
  private static final class Crash extends RuntimeException {
    Crash(String what) {
      super(what);
    }
  }

  private static byte[] shardBytes(int iteration, int stage) {
    byte[] b = new byte[1000 + stage];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (iteration * 31 + stage * 7 + i);
    }
    return b;
  }

  /** Writes every shard of checkpoint {@code it} and commits its manifest, as the stages and coordinator do. */
  private static void checkpoint(CheckpointStore store, int it) throws IOException {
    Manifest.Builder m = Manifest.newBuilder().setFormatVersion(1).setIteration(it).setJobId("j").setStages(STAGES);
    for (int s = 0; s < STAGES; s++) {
      m.addShards(store.writeShard(it, s, shardBytes(it, s)));
    }
    store.commit(m.build());
  }

  @Test
  void writesListsVerifiesAndReadsBack() throws IOException {
    CheckpointStore store = new DirectoryCheckpointStore(dir, 3);
    checkpoint(store, 5);

    assertThat(dir.resolve("ckpt-000005/MANIFEST.json")).exists();
    assertThat(store.list()).singleElement().satisfies(e -> {
      assertThat(e.complete()).isTrue();
      assertThat(e.name()).isEqualTo("ckpt-000005");
    });
    assertThat(store.verify(5)).isEmpty();
    Manifest m = store.latest(w -> { }).orElseThrow();
    assertThat(m.getShardsList()).extracting(ShardEntry::getFile)
        .containsExactly("stage-0.bin", "stage-1.bin", "stage-2.bin");
    assertThat(store.readShard(5, m.getShards(2))).isEqualTo(shardBytes(5, 2));
    assertThat(m.getShards(1).getSha256()).isEqualTo(DirectoryCheckpointStore.sha256(shardBytes(5, 1)));
    try (Stream<Path> files = Files.list(dir.resolve("ckpt-000005"))) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void keepsTheNewestKAndDropsOlderLeftovers() throws IOException {
    CheckpointStore store = new DirectoryCheckpointStore(dir, 2);
    store.writeShard(1, 0, shardBytes(1, 0)); // a failed checkpoint's leftover: no manifest
    for (int it : new int[] {2, 4, 6, 8}) {
      checkpoint(store, it);
    }
    assertThat(store.list()).extracting(CheckpointStore.Entry::iteration).containsExactly(6, 8);
  }

  @Test
  void aCheckpointWithoutManifestDoesNotExist() throws IOException {
    CheckpointStore store = new DirectoryCheckpointStore(dir, 3);
    checkpoint(store, 5);
    for (int s = 0; s < STAGES; s++) {
      store.writeShard(10, s, shardBytes(10, s));
    }
    assertThat(store.latest(w -> { }).orElseThrow().getIteration()).isEqualTo(5);
    assertThat(store.verify(10)).hasValueSatisfying(l -> assertThat(l).contains("ckpt-000010", "no manifest"));
  }

  @Test
  void aCorruptNewestShardFallsBackToThePreviousCheckpointWithAWarning() throws IOException {
    CheckpointStore store = new DirectoryCheckpointStore(dir, 3);
    checkpoint(store, 5);
    checkpoint(store, 10);
    Path shard = dir.resolve("ckpt-000010/stage-1.bin");
    byte[] b = Files.readAllBytes(shard);
    b[17] ^= 1;
    Files.write(shard, b);

    assertThat(store.verify(10)).hasValueSatisfying(l -> assertThat(l)
        .startsWith("ckpt-000010/stage-1.bin: SHA-256").contains("corrupt").doesNotContain("\n"));
    List<String> warnings = new ArrayList<>();
    assertThat(store.latest(warnings::add).orElseThrow().getIteration()).isEqualTo(5);
    assertThat(warnings).singleElement().asString().contains("ckpt-000010/stage-1.bin", "trying the one before");

    Files.write(shard, new byte[3]); // truncated
    assertThat(store.verify(10)).hasValueSatisfying(l -> assertThat(l).contains("3 bytes"));
    Files.delete(shard);
    assertThat(store.verify(10)).hasValueSatisfying(l -> assertThat(l).contains("stage-1.bin: missing"));
    Files.writeString(dir.resolve("ckpt-000005/MANIFEST.json"), "{\"iteration\": ");
    assertThat(store.verify(5)).hasValueSatisfying(l -> assertThat(l).contains("does not parse"));
    assertThat(store.latest(w -> { })).isEmpty();
  }

  @Test
  void aWriteThatFailsLeavesNoTemporaryFile() {
    CheckpointStore store = new DirectoryCheckpointStore(dir, 3, (step, f) -> {
      throw new IOException("disk full");
    });
    assertThatThrownBy(() -> store.writeShard(5, 0, shardBytes(5, 0))).hasMessage("disk full");
    assertThat(dir.resolve("ckpt-000005")).isEmptyDirectory();
  }

  /**
   * Crash consistency: checkpoint 5 is complete; checkpoint 10's write dies at every step of every file (each
   * shard and the manifest, before and after its rename). After each crash, a fresh store over the directory
   * loads checkpoint 5 or — only when the crash came after the manifest's rename — checkpoint 10, and whichever
   * it picks verifies.
   */
  @Test
  void aWriteKilledAtAnyStepNeverYieldsACheckpointThatLoadsWrong() throws IOException {
    int files = STAGES + 1;
    for (int victim = 0; victim < files; victim++) {
      for (DirectoryCheckpointStore.Step at : DirectoryCheckpointStore.Step.values()) {
        Path d = Files.createDirectory(dir.resolve("run-" + victim + "-" + at));
        checkpoint(new DirectoryCheckpointStore(d, 3), 5);
        int kill = victim;
        CheckpointStore dying = new DirectoryCheckpointStore(d, 3, (step, f) -> {
          if (step == at && f.getFileName().toString().equals(fileName(kill))) {
            throw new Crash("killed " + step + " " + f);
          }
        });
        assertThatThrownBy(() -> checkpoint(dying, 10)).isInstanceOf(Crash.class);

        CheckpointStore after = new DirectoryCheckpointStore(d, 3);
        Optional<Manifest> latest = after.latest(w -> { });
        boolean manifestLanded = kill == STAGES && at == DirectoryCheckpointStore.Step.AFTER_RENAME;
        assertThat(latest).as("crash %s of %s", at, fileName(kill)).isPresent();
        assertThat(latest.get().getIteration()).isEqualTo(manifestLanded ? 10 : 5);
        assertThat(after.verify(latest.get().getIteration())).isEmpty();
        for (ShardEntry s : latest.get().getShardsList()) {
          assertThat(after.readShard(latest.get().getIteration(), s))
              .isEqualTo(shardBytes(latest.get().getIteration(), s.getStage()));
        }
      }
    }
  }

  private static String fileName(int index) {
    return index < STAGES ? "stage-" + index + ".bin" : DirectoryCheckpointStore.MANIFEST;
  }
}
