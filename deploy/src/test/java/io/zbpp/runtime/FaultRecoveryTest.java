package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.faults.Injection;
import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.ReferenceTrainer;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.stage.ModelChunks;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The in-JVM fault suite (docs/faults.md): every fault kind the stages inject, on 1F1B and ZB-2p, the tiny GPT on
 * the cpu backend, every message serialized. A job that meets a fault recovers and ends with the losses and the
 * parameter digest of the fault-free run and of the single-device reference trainer, bit for bit, and its report
 * counts the fault. (kill-worker needs worker nodes: {@code WorkerLossTest}.)
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FaultRecoveryTest {
  private static final String MODEL = "tiny";
  private static final long SEED = 5;
  private static final int STAGES = 2;
  private static final int MICROBATCHES = 4;
  private static final int ITERATIONS = 3;
  private static final LocalTraining TRAINING = LocalTraining.open(true);
  private static final Map<String, TrainReport> CLEAN = new ConcurrentHashMap<>();
  private static final ReferenceRun REFERENCE = reference();

  record ReferenceRun(List<Double> losses, String sha256) {}

  private static ReferenceRun reference() {
    try (ReferenceTrainer ref = new ReferenceTrainer(RunnerSpec.of(MODEL, Backend.CPU, SEED, MICROBATCHES, 1, 1))) {
      return new ReferenceRun(Arrays.stream(ref.run(ITERATIONS)).boxed().toList(), ref.parameterSha256());
    }
  }

  @AfterAll
  static void close() {
    TRAINING.close();
  }

  static TrainSpec spec(String schedule) {
    GptConfig c = GptConfig.preset(MODEL);
    return TrainSpec.builder(schedule, STAGES, MICROBATCHES).iterations(ITERATIONS).availableChunks(c.layers())
        .model(new ModelShape(c.layers(), c.hidden(), c.heads(), c.seqLen(), 1)).serializeMessages(true)
        .modelSpec(ModelChunks.specOf(RunnerSpec.of(MODEL, Backend.CPU, SEED, MICROBATCHES, 1, STAGES))).build();
  }

  private static TrainReport clean(String schedule) {
    return CLEAN.computeIfAbsent(schedule, s -> TRAINING.train(spec(s), FaultPolicy.defaults()));
  }

  private static FaultPolicy inject(String... faults) {
    return FaultPolicy.defaults().withInject(Injection.parseAll(List.of(faults)));
  }

  private static void assertSameAsFaultFree(String schedule, TrainReport r) {
    TrainReport clean = clean(schedule);
    assertThat(clean.losses()).isEqualTo(REFERENCE.losses());
    assertThat(clean.paramsSha256()).isEqualTo(REFERENCE.sha256());
    assertThat(r.losses()).isEqualTo(clean.losses());
    assertThat(r.paramsSha256()).isEqualTo(clean.paramsSha256());
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "1f1b, stage-exception:1@1.2, stage 1 failed: iteration 1 op",
      "zb-2p, stage-exception:1@1.2, stage 1 failed: iteration 1 op",
      "1f1b, kill-stage:0@1.3, stage 0 lost: its actor",
      "zb-2p, kill-stage:0@1.3, stage 0 lost: its actor"})
  void aStageFaultIsRecoveredAndTheJobEndsAsAFaultFreeRun(String schedule, String fault, String detected) {
    TrainReport r = TRAINING.train(spec(schedule), inject(fault));

    assertSameAsFaultFree(schedule, r);
    assertThat(r.recovery().faultsDetected()).isEqualTo(1);
    assertThat(r.recovery().recoveries()).isEqualTo(1);
    assertThat(r.recovery().iterationsReplayed()).isEqualTo(2); // iteration 0 done, 1 aborted: both run again
    assertThat(r.recovery().recoverySeconds()).isPositive();
    assertThat(r.recovery().events()).singleElement().asString().startsWith(detected);
  }

  /** With a snapshot at every iteration boundary, a fault in iteration 2 replays iteration 2 only. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"1f1b", "zb-2p"})
  void aRecoveryFromASnapshotReplaysOnlyTheIterationsAfterIt(String schedule) {
    TrainReport r = TRAINING.train(spec(schedule), inject("kill-stage:1@2.4").withSnapshotEvery(1));

    assertSameAsFaultFree(schedule, r);
    assertThat(r.recovery().faultsDetected()).isEqualTo(1);
    assertThat(r.recovery().iterationsReplayed()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"1f1b", "zb-2p"})
  void aSlowStageIsNotAFault(String schedule) {
    TrainReport r = TRAINING.train(spec(schedule), inject("slow-stage:1@1x3"));

    assertSameAsFaultFree(schedule, r);
    assertThat(r.recovery().faultsDetected()).isZero();
    assertThat(r.recovery().iterationsReplayed()).isZero();
  }

  /**
   * A stage whose pass does not end (slowed a million times): the watchdog fires, its report names the pass the
   * stage runs and what its neighbour waits for, and the job recovers.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"1f1b", "zb-2p"})
  void theWatchdogNamesTheBlockedInstructionAndTheJobRecovers(String schedule) {
    FaultPolicy hang = inject("slow-stage:1@1.1x1000000").withWatchdog(10, Duration.ofSeconds(5));
    TrainReport r = TRAINING.train(spec(schedule), hang);

    assertSameAsFaultFree(schedule, r);
    assertThat(r.recovery().faultsDetected()).isPositive();
    assertThat(r.recovery().events()).anySatisfy(e -> {
      assertThat(e).startsWith("watchdog: iteration 1 not done within 5.0 s; stage 0 waits at 0RECV_");
      assertThat(e).contains("stage 1 runs 1F0 (iteration 1)");
      assertThat(e).contains("    1  1F0  <-- running").contains("<-- waiting for its input");
    });
  }

  @Test
  void aFaultBeyondTheAllowedRecoveriesFailsTheJobWithOneLine() {
    FaultPolicy twice = inject("stage-exception:0@0", "kill-stage:1@1").withRecovery(1, Duration.ofSeconds(30));
    assertThatThrownBy(() -> TRAINING.train(spec("1f1b"), twice)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stage 1 lost: its actor").hasMessageEndingWith("1 recoveries already made (maxRecoveries); find the cause in the log and submit the "
            + "job again");
  }

  @Test
  void anInjectionOutsideTheJobIsRejectedNamingIt() {
    assertThatThrownBy(() -> TRAINING.train(spec("1f1b"), inject("kill-stage:2@0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--inject [kill-stage:2@0]: stage 2 does not exist; stages are 0..1");
    assertThatThrownBy(() -> TRAINING.train(spec("1f1b"), inject("kill-stage:0@3")))
        .hasMessage("--inject [kill-stage:0@3]: iteration 3 is not run; iterations are 0..2");
    assertThatThrownBy(() -> TRAINING.train(spec("1f1b"), inject("kill-worker:0@1")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("inject [kill-worker:0@1]: stage 0 runs in the coordinator's actor system");
  }
}
