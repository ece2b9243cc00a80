package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code zbpp train} as a user runs it: JSON fields, the reference trainer, the timeline, the emulated backend. */
class TrainCommandTest {
  /** An existing directory. */
  private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();

  private static final String[] TINY = {"--model", "tiny", "--stages", "2", "--microbatches", "3", "--iterations",
      "2", "--seed", "7", "--json"};

  private static String[] args(String schedule, String... more) {
    return Stream.concat(Stream.of("train", "--schedule", schedule), Stream.concat(Stream.of(TINY), Stream.of(more)))
        .toArray(String[]::new);
  }

  @Test
  void pipelineAndReferenceReportTheSameLossesAndDigestAsJson() {
    Cli zb = Cli.run(args("zb-h1"));
    Cli ref = Cli.run(args("reference"));

    assertThat(zb.exit()).as(zb.err()).isZero();
    assertThat(ref.exit()).as(ref.err()).isZero();
    JsonObject z = zb.json();
    JsonObject r = ref.json();
    assertThat(z.keySet()).contains("losses", "paramsSha256", "predictedBubbleRate", "realizedBubbleRate",
        "iterationMillis", "samplesPerSecond");
    assertThat(z.get("losses")).isEqualTo(r.get("losses"));
    assertThat(z.get("paramsSha256")).isEqualTo(r.get("paramsSha256"));
    assertThat(z.getAsJsonArray("losses")).hasSize(2);
    assertThat(z.getAsJsonArray("iterationMillis")).hasSize(2);
    assertThat(z.get("predictedBubbleRate").getAsDouble()).isBetween(0.0, 1.0);
    assertThat(z.get("samplesPerSecond").getAsDouble()).isPositive();
    assertThat(r.get("predictedBubbleRate").isJsonNull()).isTrue();
    assertThat(zb.err()).isEmpty();
  }

  @Test
  void everyDataPlaneReportsTheLossesAndDigestOfTheReference() {
    Cli ref = Cli.run(args("reference"));
    assertThat(ref.exit()).as(ref.err()).isZero();
    for (String plane : List.of("artery", "memory", "netty")) {
      Cli c = Cli.run(args("zb-2p", "--data-plane", plane));

      assertThat(c.exit()).as(plane + ": " + c.err()).isZero();
      assertThat(c.json().get("losses")).as(plane).isEqualTo(ref.json().get("losses"));
      assertThat(c.json().get("paramsSha256")).as(plane).isEqualTo(ref.json().get("paramsSha256"));
    }
  }

  @Test
  void referenceAcceptsChunksThatOnlySplitTheModel() {
    Cli one = Cli.run(args("reference"));
    Cli three = Cli.run(args("reference", "--chunks", "3"));

    assertThat(three.exit()).as(three.err()).isZero();
    assertThat(three.json().get("chunks").getAsInt()).isEqualTo(3);
    assertThat(three.json().get("losses")).isEqualTo(one.json().get("losses"));
    assertThat(three.json().get("paramsSha256")).isEqualTo(one.json().get("paramsSha256"));
  }

  @Test
  void writesTheTimelineOfWhatRanAndPrintsASummaryWithoutJson(@TempDir Path dir) throws Exception {
    Path html = dir.resolve("t.html");
    Cli c = Cli.run("train", "--schedule", "1f1b", "--model", "tiny", "--stages", "2", "--microbatches", "2",
        "--iterations", "2", "--timeline", html.toString());

    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(c.out()).contains("iteration 1/2  loss ", "iteration 2/2  loss ", "bubble rate: predicted ",
        "paramsSha256 ", "timeline written to " + html);
    String page = Files.readString(html);
    assertThat(page).startsWith("<!DOCTYPE html>").contains("<svg", "1f1b, p=2, m=2, iteration 2 of 2");
    // p·m forward and fused backward passes, planned and realized
    assertThat(page.split("class=\"pass ", -1)).hasSize(1 + 2 * 2 * 2 * 2);
  }

  @Test
  void emulatedBackendSleepsTheGivenTimesScaled() {
    Cli c = Cli.run(args("1f1b", "--backend", "emulated", "--cost-f", "2", "--cost-b", "2", "--cost-w", "2",
        "--time-scale", "0.5"));

    assertThat(c.exit()).as(c.err()).isZero();
    JsonObject o = c.json();
    assertThat(o.get("backend").getAsString()).isEqualTo("emulated");
    // 1F1B, p=2, m=3: m + p − 1 = 4 slots of F + BW = 3 ms on the critical path (12 ms; no sleep: ~1 ms); the
    // overshoot compensation may shorten a pass to half its time on a loaded host
    assertThat(o.getAsJsonArray("iterationMillis").get(1).getAsDouble()).isGreaterThanOrEqualTo(6.0);
    assertThat(o.get("losses").isJsonNull()).isTrue();
    assertThat(o.get("paramsSha256").isJsonNull()).isTrue();
    assertThat(o.getAsJsonObject("nullReasons").get("losses").getAsString()).contains("emulated backend");
    assertThat(o.getAsJsonObject("nullReasons").get("paramsSha256").getAsString()).contains("no arithmetic");
  }

  @Test
  void reportsTheRequestedBackendAndTheOneThatRan() {
    boolean gpu = io.zbpp.gpu.cuda.CudaProbe.available();
    Cli cuda = Cli.run(args("1f1b", "--backend", "cuda"));
    Cli cpu = Cli.run(args("1f1b"));

    assertThat(cuda.exit()).as(cuda.err()).isZero();
    JsonObject o = cuda.json();
    assertThat(o.get("backend").getAsString()).isEqualTo("cuda");
    assertThat(o.get("backendRequested").getAsString()).isEqualTo("cuda");
    assertThat(o.get("backendActual").getAsString()).isEqualTo(gpu ? "cuda" : "cpu");
    assertThat(cpu.json().get("backendRequested").getAsString()).isEqualTo("cpu");
    assertThat(cpu.json().get("backendActual").getAsString()).isEqualTo("cpu");
    if (!gpu) { // it really ran on the cpu: the same bits as --backend cpu
      assertThat(o.get("paramsSha256")).isEqualTo(cpu.json().get("paramsSha256"));
    }
  }

  @Test
  void theTextOutputNamesTheBackendThatRanAndTheOneRequested() {
    boolean gpu = io.zbpp.gpu.cuda.CudaProbe.available();
    Cli c = Cli.run("train", "--schedule", "1f1b", "--model", "tiny", "--stages", "2", "--microbatches", "2",
        "--iterations", "1", "--backend", "cuda");

    assertThat(c.exit()).as(c.err()).isZero();
    if (gpu) {
      assertThat(c.out()).contains("  backend cuda  ", "backend: cuda" + System.lineSeparator());
    } else {
      assertThat(c.out()).contains("  backend cpu (cuda requested: ", "backend: cpu (cuda requested: ");
    }
  }

  @Test
  void emulatedBackendSaysInTextThatItComputesNoLoss() {
    Cli c = Cli.run("train", "--schedule", "1f1b", "--model", "tiny", "--stages", "2", "--microbatches", "2",
        "--iterations", "2", "--backend", "emulated");

    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(c.out()).contains("loss: none (emulated backend: no arithmetic) over 2 iterations"
        + System.lineSeparator()).doesNotContain("loss 0.0000").contains("iteration 2/2  loss -  ");
  }

  @Test
  void microbatchSizeIsCheckedAgainstTheHeapOnCpuOnly() {
    io.zbpp.gpu.model.GptConfig tiny = io.zbpp.gpu.model.GptConfig.preset("tiny");
    long heap = 64L << 20;

    TrainJob.checkFitsHeap(tiny, io.zbpp.gpu.device.Backend.EMULATED, 8, 100000, heap);
    TrainJob.checkFitsHeap(tiny, io.zbpp.gpu.device.Backend.CPU, 8, 2, heap);
    assertThat(org.assertj.core.api.Assertions.catchThrowable(
        () -> TrainJob.checkFitsHeap(tiny, io.zbpp.gpu.device.Backend.CPU, 8, 100000, heap)))
        .isInstanceOf(UsageException.class)
        .hasMessage("--microbatch-size [100000]: 8 microbatches of 100000 sequences need about 275002 MiB, the JVM "
            + "heap is 64 MiB; use a smaller --microbatch-size or raise the heap (ZBPP_JAVA_OPTS=-Xmx...)");
  }

  @Test
  void plansUnderTheGivenMemoryDeltasAsZbppScheduleDoes() {
    String[] model = {"--stages", "4", "--microbatches", "8", "--cost-f", "1", "--cost-b", "1", "--cost-w", "1",
        "--mem-f", "1", "--mem-b", "0", "--mem-w", "-1", "--mem-limit", "2", "--json"};
    Cli train = Cli.run(Stream.concat(Stream.of("train", "--schedule", "zb-auto", "--model", "tiny", "--iterations",
        "1"), Stream.of(model)).toArray(String[]::new));
    Cli limited = Cli.run(Stream.concat(Stream.of("schedule", "--schedule", "zb-auto"), Stream.of(model))
        .toArray(String[]::new));
    Cli unlimited = Cli.run("schedule", "--schedule", "zb-auto", "--stages", "4", "--microbatches", "8", "--json");

    assertThat(train.exit()).as(train.err()).isZero();
    assertThat(limited.exit()).as(limited.err()).isZero();
    double predicted = train.json().get("predictedBubbleRate").getAsDouble();
    assertThat(predicted).isEqualTo(limited.json().get("bubbleRate").getAsDouble());
    // the limit of 2 microbatches binds: the same schedule without it has a smaller bubble
    assertThat(predicted).isGreaterThan(unlimited.json().get("bubbleRate").getAsDouble());
  }

  static Stream<Arguments> badInput() {
    return Stream.of(
        Arguments.of(List.of("--model", "nope"),
            "--model [nope]: unknown preset; expected one of tiny, small, 1.5b, 6.2b, 14.6b, 28.3b"),
        Arguments.of(List.of("--stages", "9"),
            "--stages [9]: 9 stages × 1 chunks need 9 model chunks, the model has 8 layers"),
        Arguments.of(List.of("--microbatches", "0"), "--microbatches [0]: must be at least 1"),
        Arguments.of(List.of("--iterations", "0"), "--iterations [0]: must be at least 1"),
        Arguments.of(List.of("--backend", "tpu"), "--backend [tpu]: unknown; expected one of cpu, cuda, emulated"),
        Arguments.of(List.of("--mem-limit", "100000"), "--mem-limit [100000.0]: infeasible for 1f1b with p=4 m=8: "
            + "stage 0: peak memory 180224.0 exceeds the limit 100000.0"),
        Arguments.of(List.of("--mem-limit-factor", "0.5"), "--mem-limit-factor [0.5] (limit 90112.0): infeasible "
            + "for 1f1b with p=4 m=8: stage 0: peak memory 180224.0 exceeds the limit 90112.0"),
        Arguments.of(List.of("--mem-limit", "-1"), "--mem-limit [-1]: out of range; expected a number > 0 and <= 1e15"),
        Arguments.of(List.of("--schedule", "nope"), "--schedule [nope]: unknown; expected one of "
            + String.join(", ", io.zbpp.schedule.Schedules.names())),
        Arguments.of(List.of("--cost-f", "1,2"), "--cost-f [1,2]: 2 values for 4 stages; expected one value or 4, "
            + "one per stage"),
        Arguments.of(List.of("--mem-f", "1,2"), "--mem-f [1,2]: 2 values for 4 stages; expected one value or 4, "
            + "one per stage"),
        Arguments.of(List.of("--mem-b", "0,0,0,0,0"), "--mem-b [0,0,0,0,0]: 5 values for 4 stages; expected one "
            + "value or 4, one per stage"),
        Arguments.of(List.of("--mem-w", "x"), "--mem-w [x]: not a number; expected a number from -1e15 to 1e15, or a comma list with "
            + "one per stage"),
        Arguments.of(List.of("--mem-f", "1", "--mem-b", "0", "--mem-w", "-1", "--mem-limit-factor", "0.5"),
            "--mem-limit-factor [0.5] (limit 2.0): infeasible for 1f1b with p=4 m=8: stage 0: peak memory 4.0 "
                + "exceeds the limit 2.0"),
        Arguments.of(List.of("--schedule", "zb-auto", "--mem-f", "1", "--mem-b", "0", "--mem-w", "-1", "--mem-limit",
            "0.5"), "--mem-limit [0.5]: below one microbatch's activation memory; give at least 1 (max over stages "
                + "of ΔM(F) + max(0, ΔM(B)))"),
        Arguments.of(List.of("--timeline", "/nonexistent-dir/t.html"),
            "--timeline [/nonexistent-dir/t.html]: cannot write: no such directory /nonexistent-dir"),
        Arguments.of(List.of("--timeline", TMP.toString()),
            "--timeline [" + TMP + "]: is a directory; expected a file path"),
        Arguments.of(List.of("--model", "28.3b"), "--model [28.3b]: the paper's model shapes are for --backend "
            + "emulated (or cuda on a GPU node); on cpu use tiny or small"),
        Arguments.of(List.of("--model", "1.5B", "--schedule", "reference"), "--model [1.5B]: the paper's model "
            + "shapes are for --backend emulated (or cuda on a GPU node); on cpu use tiny or small"),
        Arguments.of(List.of("--microbatch-size", "100000"), String.format(java.util.Locale.ROOT,
            "--microbatch-size [100000]: 8 microbatches of 100000 sequences need about %.0f MiB, the JVM heap is "
                + "%.0f MiB; use a smaller --microbatch-size or raise the heap (ZBPP_JAVA_OPTS=-Xmx...)",
            TrainJob.estimatedBytes(io.zbpp.gpu.model.GptConfig.preset("tiny"), 8, 100000) / (1 << 20),
            Runtime.getRuntime().maxMemory() / (double) (1 << 20))),
        Arguments.of(List.of("--post-validation", "off", "--rollback", "in-place"), "--rollback [in-place]: only "
            + "post-validation rolls back, and it is off for this run; expected --post-validation on, or no "
            + "--rollback"),
        Arguments.of(List.of("--schedule", "zb-h1", "--post-validation", "off", "--rollback", "exact"),
            "--rollback [exact]: only post-validation rolls back, and it is off for this run; expected "
                + "--post-validation on, or no --rollback"),
        Arguments.of(List.of("--rollback", "exact"), "--rollback [exact]: only post-validation rolls back, and it "
            + "is off for this run; expected --post-validation on, or no --rollback"),
        Arguments.of(List.of("--schedule", "reference", "--timeline", "t.html"),
            "--timeline [t.html]: the reference trainer runs no pipeline; expected a pipeline schedule"),
        Arguments.of(List.of("--microbatch-size", "0"), "--microbatch-size [0]: must be at least 1"),
        Arguments.of(List.of("--data-plane", "tcp"), "--data-plane [tcp]: expected artery, memory or netty"),
        Arguments.of(List.of("--schedule", "reference", "--backend", "emulated"),
            "--backend [emulated]: the reference trainer computes the model; expected cpu or cuda"),
        Arguments.of(List.of("--clip-norm", "-1"), "--clip-norm [-1]: expected a number >= 0 (0: no clipping)"),
        Arguments.of(List.of("--clip-norm", "NaN"), "--clip-norm [NaN]: expected a number >= 0 (0: no clipping)"),
        Arguments.of(List.of("--post-validation", "maybe"), "--post-validation [maybe]: expected on or off"),
        Arguments.of(List.of("--rollback", "copy"), "--rollback [copy]: expected exact or in-place"),
        Arguments.of(List.of("--inject", "boom:1@0"), "--inject [boom:1@0]: unknown kind boom; accepted: "
            + "stage-exception, kill-stage, kill-worker, kill-coordinator, slow-stage, drop-frame, duplicate-frame, "
            + "delay-frame, reorder-frame, corrupt-frame, fail-checkpoint-write, corrupt-checkpoint"),
        Arguments.of(List.of("--inject", "slow-stage:1@0"),
            "--inject [slow-stage:1@0]: slow-stage needs xFACTOR (the slow-down, e.g. x4)"),
        Arguments.of(List.of("--inject", "kill-stage:4@0"),
            "--inject [kill-stage:4@0]: stage 4 does not exist; stages are 0..3"),
        Arguments.of(List.of("--inject", "kill-coordinator:0@0"), "--inject [kill-coordinator:0@0]: kill-coordinator "
            + "is injected only by a zbpp coordinator process, into the jobs submitted to its job API (a standby "
            + "coordinator resumes them); handled here: stage-exception, kill-stage, kill-worker, slow-stage, "
            + "drop-frame, duplicate-frame, delay-frame, reorder-frame, corrupt-frame, fail-checkpoint-write, "
            + "corrupt-checkpoint"),
        Arguments.of(List.of("--inject", "drop-frame:0@0"), "--inject [drop-frame:0@0]: the in-memory data plane "
            + "loses and corrupts nothing, so it has nothing to detect; inject drop-frame on the netty data plane"),
        Arguments.of(List.of("--data-plane", "artery", "--inject", "duplicate-frame:0@0"),
            "--inject [duplicate-frame:0@0]: frame faults are injected on a data plane; use --data-plane netty or "
                + "memory"),
        Arguments.of(List.of("--data-plane", "netty", "--inject", "corrupt-frame:0@0.9"),
            "--inject [corrupt-frame:0@0.9]: index 9 is past the 8 tensors stage 0 sends in an iteration (0..7)"),
        Arguments.of(List.of("--inject", "fail-checkpoint-write:0@1"), "--inject [fail-checkpoint-write:0@1]: the job "
            + "takes no checkpoints; set checkpointEvery (--checkpoint-every)"),
        Arguments.of(List.of("--watchdog-factor", "0.5"), "--watchdog-factor [0.5]: expected a number from 1 to 1e6"),
        Arguments.of(List.of("--watchdog-floor", "0"), "--watchdog-floor [0.0]: expected seconds > 0 and at most "
            + "604800"),
        Arguments.of(List.of("--max-recoveries", "-1"), "--max-recoveries [-1]: must be at least 0"),
        Arguments.of(List.of("--inject-nan", "x"),
            "--inject-nan [x]: expected ITERATION:STAGE, two whole numbers >= 0 (e.g. 2:1)"),
        Arguments.of(List.of("--inject-nan", "1:-1"),
            "--inject-nan [1:-1]: expected ITERATION:STAGE, two whole numbers >= 0 (e.g. 2:1)"),
        Arguments.of(List.of("--inject-nan", "9:0"),
            "--inject-nan [9:0]: expected ITERATION:STAGE with ITERATION < 1 and STAGE < 4"),
        Arguments.of(List.of("--inject-nan", "0:4"),
            "--inject-nan [0:4]: expected ITERATION:STAGE with ITERATION < 1 and STAGE < 4"),
        Arguments.of(List.of("--schedule", "reference", "--inject-nan", "1:0"),
            "--inject-nan [1:0]: expected ITERATION:STAGE with ITERATION < 1 and STAGE < 4"),
        Arguments.of(List.of("--schedule", "reference", "--post-validation", "on"),
            "--post-validation [on]: the reference trainer checks synchronously on one device; expected a "
                + "pipeline schedule"),
        Arguments.of(List.of("--schedule", "reference", "--rollback", "exact"),
            "--rollback [exact]: the reference trainer checks synchronously on one device; expected a pipeline "
                + "schedule"));
  }

  /** A valid 1f1b job on the tiny model (p=4, m=8, 1 iteration) with one option replaced. */
  @ParameterizedTest
  @MethodSource("badInput")
  void rejectsBadInputWithOneLineAndExitTwo(List<String> override, String message) {
    java.util.Map<String, String> opts = new java.util.LinkedHashMap<>();
    opts.put("--schedule", "1f1b");
    opts.put("--model", "tiny");
    opts.put("--stages", "4");
    opts.put("--microbatches", "8");
    opts.put("--iterations", "1");
    for (int i = 0; i < override.size(); i += 2) {
      opts.put(override.get(i), override.get(i + 1));
    }
    List<String> argv = new java.util.ArrayList<>(List.of("train"));
    opts.forEach((k, v) -> {
      argv.add(k);
      argv.add(v);
    });

    Cli c = Cli.run(argv.toArray(String[]::new));

    assertThat(c.exit()).isEqualTo(2);
    assertThat(c.err()).isEqualTo(message + System.lineSeparator());
    assertThat(c.out()).isEmpty();
  }
}
