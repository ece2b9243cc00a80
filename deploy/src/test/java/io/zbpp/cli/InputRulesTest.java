package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The input rules of issue 19, one table per rule, driving the CLI in-process: every bad value is answered
 * within a second (nothing expensive starts first) with exit code 2 and one line on stderr that names the
 * option, the value and what is accepted.
 */
class InputRulesTest {
  private static final String SCHED = "schedule --schedule zb-h1 --stages 4 --microbatches 8 ";
  private static final String TRAIN_EMU = "train --schedule zb-h1 --stages 2 --microbatches 4 --iterations 2 "
      + "--model tiny --backend emulated ";

  /** An unwritable place in each flavour: missing directory, a directory, a directory that takes no files. */
  static Stream<Arguments> outputPathsAreCheckedBeforeAnyWork() {
    String nodir = "/nonexistent-dir-zbpp/x";
    return Stream.of(
        bad(SCHED + "--svg " + nodir + ".svg", "--svg", nodir),
        bad(SCHED + "--svg /tmp", "--svg", "is a directory"),
        bad(SCHED + "--plan-out /proc/zbpp-x.plan", "--plan-out", "does not take new files"),
        bad(SCHED + "--plan-out /dev/full", "--plan-out", "no space left on device"),
        bad(SCHED + "--optimize --time-limit 600 --svg /proc/x.svg", "--svg", "/proc/x.svg"),
        bad("train --schedule zb-h1 --stages 2 --microbatches 4 --iterations 50 --model tiny --timeline "
            + "/proc/x.html", "--timeline", "does not take new files"),
        bad("train --schedule zb-h1 --stages 2 --microbatches 4 --iterations 50 --model tiny --timeline "
            + "/dev/full", "--timeline", "no space left on device"),
        bad("demo --timeline /dev/full", "--timeline", "no space left on device"),
        bad("demo --timeline /proc/x.html", "--timeline", "/proc"),
        bad("demo --timeline " + nodir + ".html", "--timeline", "no such directory"));
  }

  static Stream<Arguments> numbersAreFiniteAndInRange() {
    return Stream.of(
        bad(SCHED + "--cost-f 1e308 --cost-b 1e308", "--cost-f", "<= 1e9"),
        bad(SCHED + "--cost-b 1e10", "--cost-b", "<= 1e9"),
        bad(SCHED + "--cost-w 1,1,1,2e9", "--cost-w", "[2e9]: out of range"),
        bad(SCHED + "--cost-comm 1e300", "--cost-comm", "<= 1e9"),
        bad(SCHED + "--cost-f Infinity", "--cost-f", "not a number"),
        bad(SCHED + "--cost-f 1e400", "--cost-f", "not a number"),
        bad(SCHED + "--mem-f 1e308", "--mem-f", "from -1e15 to 1e15"),
        bad(SCHED + "--mem-w -1e16", "--mem-w", "from -1e15 to 1e15"),
        bad(SCHED + "--mem-limit 1e300", "--mem-limit", "<= 1e15"),
        bad(SCHED + "--mem-limit-factor 1e7", "--mem-limit-factor", "<= 1e6"),
        bad(SCHED + "--cost-f 0 --cost-b 0 --cost-w 0", "--cost-f", "0/0"),
        bad("schedule --schedule zb-2p --stages 4 --microbatches 8 --cost-f 0 --cost-b 0 --cost-w 0,0,0,0",
            "--cost-f", "--cost-w [0,0,0,0]: every pass takes no time, so cost and bubble rate are 0/0"),
        bad(SCHED + "--optimize --time-limit 1e9", "--time-limit", "<= 86400"),
        bad(TRAIN_EMU + "--time-scale 1e9", "--time-scale", "<= 1e6"),
        bad(TRAIN_EMU + "--time-scale 0", "--time-scale", "> 0"),
        bad(TRAIN_EMU + "--time-scale 1e6", "--time-scale", "--long-run"),
        bad(TRAIN_EMU + "--cost-f 1e8", "--time-scale", "x --cost-f/-b/-w: the emulated passes would sleep at least 222.2 h"),
        bad("train --schedule zb-h1 --stages 2 --microbatches 4 --iterations 2000000 --model tiny",
            "--iterations", "at most 1000000"),
        bad("bench runtime --time-scale 1e5", "--time-scale", "--long-run"),
        bad("bench runtime --time-scale 1e300", "--time-scale", "<= 1e6"),
        bad("bench runtime --time-scale 0", "--time-scale", "> 0"),
        bad("bench runtime --iterations 5000000", "--iterations", "at most 1000000"),
        bad("bench postval --time-scale 1e5", "--time-scale", "--long-run"),
        bad("bench postval --time-scale -1", "--time-scale", "> 0"),
        bad("bench postval --repeat 100000", "--repeat", "at most 1000"),
        bad(TRAIN_EMU + "--time-scale abc", "--time-scale", "not a number"),
        bad(TRAIN_EMU + "--time-scale NaN", "--time-scale", "not a number"),
        bad(TRAIN_EMU + "--cost-comm 1e10", "--cost-comm", "<= 1e9"),
        bad(TRAIN_EMU + "--mem-limit 1e20", "--mem-limit", "<= 1e15"),
        bad(TRAIN_EMU + "--mem-limit-factor 0", "--mem-limit-factor", "> 0"),
        bad(SCHED + "--cost-comm -1", "--cost-comm", "negative"),
        bad(SCHED + "--mem-b 1e16", "--mem-b", "from -1e15 to 1e15"),
        bad(SCHED + "--mem-limit NaN", "--mem-limit", "not a number"),
        bad(SCHED + "--mem-limit-factor -2", "--mem-limit-factor", "> 0"),
        bad(SCHED + "--optimize --time-limit 0", "--time-limit", "> 0"),
        bad("demo --temperature -1", "--temperature", ">= 0"),
        bad("demo --iterations 0", "--iterations", "at least 1"),
        bad("bench ops --model 6.2b", "--model", "tiny or small"),
        bad("bench ops --microbatch-size 0", "--microbatch-size", "at least 1"),
        bad("bench ops --microbatches 0", "--microbatches", "at least 1"),
        bad("demo --sample-length 2147483647", "--sample-length", "at most 100000"),
        bad("demo --sample-length -1", "--sample-length", "at least 0"),
        bad("demo --temperature 1e300", "--temperature", "<= 1000"),
        bad("demo --temperature NaN", "--temperature", ">= 0"),
        bad("demo --iterations 2000000", "--iterations", "at most 1000000"),
        bad("bench ops --model 28.3b", "--model", "tiny or small"),
        bad("bench ops --model 1.5b", "--model", "tiny or small"),
        bad("bench ops --microbatch-size 100000", "--microbatch-size", "heap"),
        bad("bench ops --microbatches 100000", "--microbatches", "at most 10000"),
        bad("bench ops --blas-threads 0", "--blas-threads", "at least 1"));
  }

  static Stream<Arguments> errorsPointAtTheCulprit() {
    return Stream.of(
        bad("schedule --schedule 1f1b-i --stages 4 --microbatches 8 --chunks 1000000", "--chunks", "1000000"),
        bad("schedule --schedule 1f1b-i --stages 8 --microbatches 100 --chunks 50000", "--chunks", "<= "),
        bad("train --schedule 1f1b-i --stages 2 --microbatches 4 --iterations 1 --model tiny --chunks 1000",
            "--chunks", "8 layers"),
        bad(SCHED + "--cost-f 1,,2,3", "--cost-f", "empty element at position 2"),
        bad(SCHED + "--cost-b 1,2,3,", "--cost-b", "empty element at position 4"),
        bad(SCHED + "--mem-f ,1", "--mem-f", "empty element at position 1"),
        bad(SCHED + "--mem-w -1,,-1,-1", "--mem-w", "empty element at position 2"),
        bad(SCHED + "--cost-f ,", "--cost-f", "empty element at position 1"),
        bad("schedule --schedule zb-v --stages 4 --microbatches 8 --chunks 3", "--chunks", "exactly 2"),
        bad("train --schedule zb-v --stages 4 --microbatches 8 --iterations 1 --model tiny --chunks 4",
            "--chunks", "exactly 2"),
        bad("schedule --schedule 1f1b-i --stages 2 --microbatches 2 --chunks 2000000", "--chunks", "<= 833333"),
        bad(TRAIN_EMU + "--cost-w 1,", "--cost-w", "empty element at position 2"),
        bad("nope", "zbpp", "[nope]; expected one of schedule, check, train, demo, bench"),
        bad("bench nope", "zbpp bench", "[nope]; expected one of paper, runtime, ops"));
  }

  @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  @ParameterizedTest(name = "{0}")
  @MethodSource({"outputPathsAreCheckedBeforeAnyWork", "numbersAreFiniteAndInRange", "errorsPointAtTheCulprit"})
  void answersWithinASecondWithOneLineNamingOptionAndValue(String args, String option, String accepted) {
    long t0 = System.nanoTime();
    Cli r = Cli.run(args.split(" "));
    double seconds = (System.nanoTime() - t0) / 1e9;

    assertThat(r.exit()).as(r.err() + r.out()).isEqualTo(2);
    assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
    assertThat(r.err()).startsWith(option.startsWith("zbpp") ? option : option + " [").contains(accepted);
    assertThat(r.out()).isEmpty();
    assertThat(seconds).as("seconds to answer").isLessThan(1.0);
  }

  @Test
  void outputChecksLeaveNoFileBehindAndKeepAnExistingOne(@TempDir Path dir) throws Exception {
    Path existing = dir.resolve("keep.plan");
    Files.writeString(existing, "old");
    Path fresh = dir.resolve("fresh.svg");

    Cli r = Cli.run((SCHED + "--stages 0 --plan-out " + existing + " --svg " + fresh).split(" "));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(Files.readString(existing)).isEqualTo("old");
    assertThat(fresh).doesNotExist();
  }

  static Stream<String> modelPresets() {
    return ModelPreset.names().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modelPresets")
  void scheduleAcceptsEveryModelPresetOfTrain(String preset) {
    Cli r = Cli.run((SCHED + "--model " + preset + " --json").split(" "));

    assertThat(r.exit()).as(r.err()).isZero();
    double memF = r.json().getAsJsonObject("costs").getAsJsonArray("memF").get(0).getAsDouble();
    io.zbpp.gpu.model.GptConfig c = io.zbpp.gpu.model.GptConfig.preset(preset);
    assertThat(memF).isEqualTo(34.0 * c.hidden() + 5.0 * c.heads() * c.seqLen());
  }

  @Test
  void paperPresetsKeepThePaperSettingsDeltas() {
    for (io.zbpp.schedule.paper.PaperSetting s : io.zbpp.schedule.paper.PaperSetting.all()) {
      ModelPreset p = ModelPreset.byName(s.model());
      assertThat(List.of(p.memF(), p.memB(), p.memW())).as(s.model())
          .isEqualTo(List.of(s.memF(), s.memB(), s.memW()));
    }
  }

  static Arguments bad(String args, String option, String accepted) {
    return Arguments.of(args, option, accepted);
  }

  static String[] argv(String line) {
    return Arrays.stream(line.split(" ")).filter(s -> !s.isEmpty()).toArray(String[]::new);
  }
}
