package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.checkpoint.CheckpointFault;
import io.zbpp.checkpoint.CheckpointPolicy;
import io.zbpp.checkpoint.DirectoryCheckpointStore;
import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.stage.ModelChunks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpoints through the runtime (serialize-messages on, the tiny model on the cpu backend): a job that stops
 * after some iterations and one resumed from its checkpoint give the losses and the parameter digest of an
 * uninterrupted run, bit for bit, on 1F1B (synchronous check) and ZB-2p (post-validation, whose eager steps must be
 * validated before they are saved — also with a rolled-back step right before the checkpoint); the injected
 * checkpoint faults; a checkpoint that does not match the job is refused with one line.
 */
class CheckpointResumeTest {
  private static final int P = 2;
  private static final int M = 3;
  private static final int N = 6;
  private static final int STOP = 3;
  private static LocalTraining training;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    training = LocalTraining.open(true);
  }

  @AfterAll
  static void stop() {
    training.close();
  }

  private static TrainReport train(String schedule, int iterations, CheckpointPolicy checkpoints,
      UnaryOperator<TrainSpec.Builder> options) {
    TrainSpec.Builder b = TrainSpec.builder(schedule, P, M).iterations(iterations).availableChunks(8)
        .modelSpec(ModelChunks.specOf(RunnerSpec.of("tiny", Backend.CPU, 5, M, 1, P)))
        .postValidation(schedule.startsWith("zb-")).serializeMessages(true);
    return training.train(options.apply(b).build(), checkpoints, new LocalTraining.Listener() { });
  }

  private CheckpointPolicy every(int n, CheckpointFault... faults) {
    return new CheckpointPolicy(n, 3, dir.toString(), "", List.of(faults));
  }

  private CheckpointPolicy resume() {
    return new CheckpointPolicy(0, 3, "", dir.toString(), List.of());
  }

  /** Stops after STOP iterations (checkpoints every 2 and at the end), resumes to N: equal to one run of N. */
  private void assertResumedEqualsWhole(String schedule, UnaryOperator<TrainSpec.Builder> options) {
    TrainReport whole = train(schedule, N, CheckpointPolicy.OFF, options);
    TrainReport first = train(schedule, STOP, every(2), options);
    assertThat(first.losses()).isEqualTo(whole.losses().subList(0, STOP));
    assertThat(first.checkpoints().written()).isEqualTo(2);
    assertThat(dir.resolve("ckpt-000002/MANIFEST.json")).exists();
    assertThat(dir.resolve("ckpt-000003/stage-1.bin")).exists();

    TrainReport resumed = train(schedule, N, resume(), options);

    assertThat(resumed.checkpoints().resumedFrom()).isEqualTo(STOP);
    assertThat(resumed.losses()).isEqualTo(whole.losses().subList(STOP, N));
    assertThat(resumed.paramsSha256()).isEqualTo(whole.paramsSha256());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1f1b", "zb-2p"})
  void aResumedJobEqualsAnUninterruptedOneBitForBit(String schedule) {
    assertResumedEqualsWhole(schedule, b -> b);
  }

  @Test
  void aStepRolledBackRightBeforeTheCheckpointIsSavedValidated() {
    // a NaN on the last stage in iteration STOP-1: stage 0's eager step of that iteration is undone in the next
    assertResumedEqualsWhole("zb-2p", b -> b.injectNan(STOP - 1, P - 1));
  }

  @Test
  void takingCheckpointsChangesNothing() {
    TrainReport plain = train("zb-2p", 4, CheckpointPolicy.OFF, b -> b);
    TrainReport checkpointed = train("zb-2p", 4, every(1), b -> b);
    assertThat(checkpointed.losses()).isEqualTo(plain.losses());
    assertThat(checkpointed.paramsSha256()).isEqualTo(plain.paramsSha256());
    assertThat(checkpointed.checkpoints().written()).isEqualTo(4);
    assertThat(checkpointed.checkpoints().bytes()).isPositive();
    assertThat(checkpointed.checkpoints().seconds()).isPositive();
    assertThat(dir.resolve("ckpt-000001")).doesNotExist(); // keep 3
  }

  @Test
  void aFailedShardWriteLosesThatCheckpointOnlyAndTheJobGoesOn() throws IOException {
    TrainReport whole = train("1f1b", STOP, CheckpointPolicy.OFF, b -> b);
    TrainReport r = train("1f1b", STOP, every(1,
        new CheckpointFault(CheckpointFault.Kind.FAIL_WRITE, 0, 2)), b -> b);

    assertThat(r.paramsSha256()).isEqualTo(whole.paramsSha256());
    assertThat(r.checkpoints().written()).isEqualTo(2);
    assertThat(r.checkpoints().failed()).isEqualTo(1);
    assertThat(dir.resolve("ckpt-000002")).doesNotExist();
    DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir, 3);
    assertThat(store.verify(1)).isEmpty();
    assertThat(store.verify(3)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1f1b", "zb-2p"})
  void aCorruptShardMakesTheResumeFallBackToThePreviousCheckpoint(String schedule) {
    TrainReport whole = train(schedule, N, CheckpointPolicy.OFF, b -> b);
    train(schedule, STOP, every(2, new CheckpointFault(CheckpointFault.Kind.CORRUPT, 1, STOP)), b -> b);

    TrainReport resumed = train(schedule, N, resume(), b -> b);

    assertThat(resumed.checkpoints().resumedFrom()).isEqualTo(2);
    assertThat(resumed.losses()).isEqualTo(whole.losses().subList(2, N));
    assertThat(resumed.paramsSha256()).isEqualTo(whole.paramsSha256());
  }

  @Test
  void aCheckpointOfAnotherJobOrNoneIsRefusedWithOneLine() throws IOException {
    assertThatThrownBy(() -> train("1f1b", N, resume(), b -> b))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--resume [" + dir + "]: no complete, valid checkpoint (expected ckpt-NNNNNN/MANIFEST.json and"
            + " its shards)");
    train("1f1b", 2, every(2), b -> b);

    assertThatThrownBy(() -> training.train(TrainSpec.builder("1f1b", P, M + 1).iterations(N).availableChunks(8)
        .modelSpec(ModelChunks.specOf(RunnerSpec.of("tiny", Backend.CPU, 5, M + 1, 1, P))).postValidation(false)
        .build(), resume(), new LocalTraining.Listener() { }))
        .hasMessage("--resume [" + dir + "]: ckpt-000002 has 3 microbatches; the job has 4");
    assertThatThrownBy(() -> training.train(TrainSpec.builder("1f1b", P, M).iterations(N).availableChunks(8)
        .modelSpec(ModelChunks.specOf(RunnerSpec.of("tiny", Backend.CPU, 6, M, 1, P))).postValidation(false)
        .build(), resume(), new LocalTraining.Listener() { }))
        .hasMessageStartingWith("--resume [" + dir + "]: ckpt-000002 is of another model: seed 5; the job's 6");
    assertThatThrownBy(() -> train("1f1b", 2, resume(), b -> b))
        .hasMessage("--resume [" + dir + "]: ckpt-000002 already covers 2 iterations; iterations is 2");
    assertThat(Files.exists(dir.resolve("ckpt-000002/MANIFEST.json"))).isTrue();
  }
}
