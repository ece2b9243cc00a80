package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.schedule.Schedules;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad input answers with one exact line on stderr, nothing on stdout, and exit code 2. */
class BadInputTest {
  static Stream<Arguments> badInputs() {
    return Stream.of(
        bad("--stages 0 --microbatches 8", "--stages [0]: must be at least 1"),
        bad("--stages -3 --microbatches 8", "--stages [-3]: must be at least 1"),
        bad("--stages 4 --microbatches 0", "--microbatches [0]: must be at least 1"),
        bad("--stages 4 --microbatches 8 --cost-f 1,2,3",
            "--cost-f [1,2,3]: 3 values for 4 stages; expected one value or 4, one per stage"),
        bad("--stages 4 --microbatches 8 --cost-w 1,1,1,1,1",
            "--cost-w [1,1,1,1,1]: 5 values for 4 stages; expected one value or 4, one per stage"),
        bad("--stages 4 --microbatches 8 --cost-f -1", "--cost-f [-1]: negative; expected a time >= 0 and <= 1e9"),
        bad("--stages 4 --microbatches 8 --cost-b 1,-2,1,1", "--cost-b [-2]: negative; expected a time >= 0 and <= 1e9"),
        bad("--stages 4 --microbatches 8 --cost-b abc",
            "--cost-b [abc]: not a number; expected a time >= 0 and <= 1e9, or a comma list with one per stage"),
        bad("--stages 4 --microbatches 8 --cost-f NaN",
            "--cost-f [NaN]: not a number; expected a time >= 0 and <= 1e9, or a comma list with one per stage"),
        bad("--stages 4 --microbatches 8 --cost-comm -0.5", "--cost-comm [-0.5]: negative; expected a time >= 0 and <= 1e9"),
        bad("--stages 4 --microbatches 8 --cost-comm x", "--cost-comm [x]: not a number; expected a time >= 0 and <= 1e9"),
        bad("--stages 4 --microbatches 8 --mem-f 1,y",
            "--mem-f [1,y]: 2 values for 4 stages; expected one value or 4, one per stage"),
        bad("--stages 2 --microbatches 8 --mem-f 1,y",
            "--mem-f [y]: not a number; expected a number from -1e15 to 1e15, or a comma list with one per stage"),
        bad("--stages 4 --microbatches 8 --mem-limit 0.5",
            "--mem-limit [0.5]: below the memory of one microbatch; expected at least the largest dM(F), 1"),
        bad("--stages 4 --microbatches 8 --mem-f 1,3,1,1 --mem-limit 2",
            "--mem-limit [2]: below the memory of one microbatch; expected at least the largest dM(F), 3"),
        bad("--stages 4 --microbatches 8 --mem-limit -1", "--mem-limit [-1]: out of range; expected a number > 0 and <= 1e15"),
        bad("--stages 4 --microbatches 8 --mem-f 0",
            "--mem-f [0]: expected values > 0 (a forward pass holds its activations until its backward)"),
        bad("--stages 2 --microbatches 8 --mem-f 1,-1",
            "--mem-f [1,-1]: expected values > 0 (a forward pass holds its activations until its backward)"),
        bad("--stages 100000 --microbatches 100000",
            "--stages [100000] x --microbatches [100000]: 30000000000 passes; at most 10000000 fit a plan"),
        bad("--stages 4 --microbatches 8 --mem-limit-factor 0.1", "--mem-limit-factor [0.1]: limit 0.4 is below "
            + "the memory of one microbatch; expected K*p*dM(F) of stage 0 >= the largest dM(F), 1 (K >= 0.25)"),
        bad("--stages 4 --microbatches 8 --mem-limit 8 --mem-limit-factor 2",
            "--mem-limit [8] and --mem-limit-factor [2]: give at most one"),
        bad("--stages 4 --microbatches 8 --chunks 2",
            "--chunks [2]: 1f1b runs one chunk per stage; expected 1 (multi-chunk schedules: 1f1b-i, zb-v)"),
        bad("--stages 4 --microbatches 8 --chunks 0", "--chunks [0]: must be at least 1"),
        bad("--stages 4 --microbatches 8 --model 3b",
            "--model [3b]: unknown preset; expected one of tiny, small, 1.5b, 6.2b, 14.6b, 28.3b"),
        bad("--stages 4 --microbatches 8 --svg /nonexistent-dir/x.svg",
            "--svg [/nonexistent-dir/x.svg]: cannot write: no such directory /nonexistent-dir"),
        bad("--stages 4 --microbatches 8 --bogus", "Unknown option: '--bogus'"),
        bad("--stages four --microbatches 8", "Invalid value for option '--stages': 'four' is not an int"),
        bad("--stages 4", "Missing required option: '--microbatches=M'"));
  }

  static Arguments bad(String args, String message) {
    return Arguments.of(args, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void answersBadScheduleInputWithOneLineAndExitCodeTwo(String args, String message) {
    List<String> argv = new ArrayList<>(List.of("schedule", "--schedule", "1f1b"));
    argv.addAll(List.of(args.split(" ")));

    Cli r = Cli.run(argv.toArray(String[]::new));

    assertThat(r.err()).isEqualTo(message + System.lineSeparator());
    assertThat(r.out()).isEmpty();
    assertThat(r.exit()).isEqualTo(2);
  }

  static Stream<Arguments> badCommands() {
    return Stream.of(
        bad("schedule --schedule nope --stages 4 --microbatches 8",
            "--schedule [nope]: unknown; expected one of " + String.join(", ", Schedules.names())),
        bad("bench paper --schedules 1f1b,nope",
            "--schedules [nope]: unknown; expected one of " + String.join(", ", Schedules.names())),
        bad("frobnicate", "zbpp: unknown command [frobnicate]; expected one of "
            + String.join(", ", Main.commandLine().getSubcommands().keySet())),
        bad("bench", "zbpp bench: missing report; expected one of paper, runtime, ops, postval, transport, replan, "
            + "faults, checkpoint"),
        bad("bench paper --jsn", "Unknown option: '--jsn'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCommands")
  void answersBadCommandsWithOneLineAndExitCodeTwo(String args, String message) {
    Cli r = Cli.run(args.split(" "));

    assertThat(r.err()).isEqualTo(message + System.lineSeparator());
    assertThat(r.out()).isEmpty();
    assertThat(r.exit()).isEqualTo(2);
  }
}
