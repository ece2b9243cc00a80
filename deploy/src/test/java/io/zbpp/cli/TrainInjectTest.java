package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zbpp train --inject} of the kinds that other parts of the runtime carry out (docs/faults.md "Fault
 * injection"): a corrupt frame on the Netty data plane and a failed checkpoint write end bit-identical to the
 * fault-free run; a killed stage recovers from the job's latest checkpoint, replaying fewer iterations than from
 * the start.
 */
class TrainInjectTest {
  @TempDir
  Path dir;

  private static JsonObject train(int iterations, String... more) {
    return train("zb-2p", iterations, more);
  }

  private static JsonObject train(String schedule, int iterations, String... more) {
    String[] base = {"train", "--schedule", schedule, "--model", "tiny", "--stages", "2", "--microbatches", "4",
        "--iterations", Integer.toString(iterations), "--seed", "7", "--json"};
    Cli c = Cli.run(Stream.concat(Stream.of(base), Stream.of(more)).toArray(String[]::new));
    assertThat(c.exit()).as(c.err()).isZero();
    return c.json();
  }

  private static void assertSameTraining(JsonObject faulty, JsonObject clean) {
    assertThat(faulty.get("losses")).isEqualTo(clean.get("losses"));
    assertThat(faulty.get("paramsSha256")).isEqualTo(clean.get("paramsSha256"));
  }

  @Test
  void aCoordinatorKillIsRefusedByProcessesBeforeAnyChildStarts() {
    Cli r = Cli.run("train", "--schedule", "1f1b", "--stages", "2", "--microbatches", "2", "--model", "tiny",
        "--iterations", "2", "--processes", "--inject", "kill-coordinator:0@1");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("--inject [kill-coordinator:0@1]: zbpp train --processes cannot survive "
        + "its coordinator's death (the job lives in this launcher); submit the job to a coordinator with a standby "
        + "instead (zbpp submit, docs/faults.md)");
  }

  /**
   * In a coordinator process an injected kill-coordinator halts the JVM as its iteration starts; here the halt is
   * a recorder, so the job goes on and the test sees it struck once, at the start of iteration 2.
   */
  @Test
  void anArmedCoordinatorKillStrikesOnceAsItsIterationStarts() {
    java.util.List<Integer> struck = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.zbpp.runtime.CoordinatorKill.arm(() -> struck.add(1));
    try {
      Cli r = Cli.run("train", "--schedule", "1f1b", "--stages", "2", "--microbatches", "2", "--model", "tiny",
          "--iterations", "4", "--inject", "kill-coordinator:0@2", "--json");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(struck).hasSize(1);
      assertThat(r.json().get("faultsDetected").getAsInt()).as("the halt is the whole fault: nothing to detect")
          .isZero();
    } finally {
      io.zbpp.runtime.CoordinatorKill.disarm();
    }
  }

  @Test
  void aCorruptFrameOnTheNettyPlaneChangesNothing() {
    JsonObject clean = train(3, "--data-plane", "netty");
    JsonObject faulty = train(3, "--data-plane", "netty", "--inject", "corrupt-frame:1@1.2");

    assertSameTraining(faulty, clean);
    assertThat(faulty.get("faultsDetected").getAsInt()).isZero(); // repaired by the plane: not a job fault
    Cli memory = Cli.run("train", "--schedule", "zb-2p", "--model", "tiny", "--stages", "2", "--microbatches", "4",
        "--iterations", "3", "--inject", "corrupt-frame:1@1.2");
    assertThat(memory.exit()).isEqualTo(2);
    assertThat(memory.err().strip()).isEqualTo("--inject [corrupt-frame:1@1.2]: the in-memory data plane loses and"
        + " corrupts nothing, so it has nothing to detect; inject corrupt-frame on the netty data plane");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"1f1b", "zb-2p"})
  void aFailedCheckpointWriteLosesThatCheckpointOnly(String schedule) {
    JsonObject clean = train(schedule, 5);
    JsonObject faulty = train(schedule, 5, "--checkpoint-every", "2", "--checkpoint-dir",
        dir.resolve(schedule).toString(), "--inject", "fail-checkpoint-write:1@2");

    assertSameTraining(faulty, clean);
    assertThat(faulty.get("checkpoints").getAsInt()).isEqualTo(2); // 4 and 5
    assertThat(faulty.get("checkpointsFailed").getAsInt()).isEqualTo(1);
    assertThat(Cli.run("checkpoint", "verify", dir.resolve(schedule).toString()).out())
        .startsWith("ckpt-000005: valid");
  }

  @Test
  void aKilledStageRecoversFromTheLatestCheckpoint() {
    // 1F1B without post-validation: one iteration at a time, so the fault in iteration 6 retires the injections
    // of iterations 5 and 6 and the replay meets none
    JsonObject clean = train("1f1b", 7);
    JsonObject fromStart = train("1f1b", 7, "--inject", "kill-stage:0@6.3");
    // stage 1's passes of iteration 5 take 100 times as long: time for checkpoint 4's manifest to be written
    // before the fault in iteration 6
    JsonObject fromCheckpoint = train("1f1b", 7, "--inject", "slow-stage:1@5x100", "--inject", "kill-stage:0@6.3",
        "--checkpoint-every", "2", "--checkpoint-dir", dir.toString());

    assertSameTraining(fromStart, clean);
    assertSameTraining(fromCheckpoint, clean);
    assertThat(fromStart.get("iterationsReplayed").getAsInt()).isGreaterThanOrEqualTo(6);
    assertThat(fromCheckpoint.get("recoveries").getAsInt()).isEqualTo(1);
    assertThat(fromCheckpoint.get("iterationsReplayed").getAsInt()).isBetween(1, 3); // from checkpoint 4
    assertThat(fromCheckpoint.get("checkpointsFailed").getAsInt()).isZero();
  }
}
