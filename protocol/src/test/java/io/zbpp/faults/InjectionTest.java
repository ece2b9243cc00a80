package io.zbpp.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class InjectionTest {
  @Test
  void parsesTheExampleOfTheGrammar() {
    Injection i = Injection.parse("kill-stage:2@5.17");
    assertThat(i).isEqualTo(new Injection(Injection.Kind.KILL_STAGE, 2, 5, 17, 0));
    assertThat(i.at()).isEqualTo(17);
  }

  @ParameterizedTest
  @ValueSource(strings = {"stage-exception:0@0", "kill-stage:2@5.17", "kill-worker:1@3.4", "kill-coordinator:0@2",
      "slow-stage:1@3x4", "slow-stage:1@3.2x2.5", "delay-frame:0@1.3x50", "drop-frame:1@0.2", "duplicate-frame:0@0",
      "reorder-frame:2@1", "corrupt-frame:0@4.1", "fail-checkpoint-write:0@5", "corrupt-checkpoint:1@5"})
  void printsAsItParses(String text) {
    assertThat(Injection.parse(text)).hasToString(text);
  }

  @Test
  void withoutAnIndexItStrikesAtTheFirstInstruction() {
    Injection i = Injection.parse("stage-exception:1@2");
    assertThat(i.index()).isEqualTo(-1);
    assertThat(i.at()).isZero();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "explode:1@2|inject [explode:1@2]: unknown kind explode; accepted: stage-exception, kill-stage, kill-worker, "
          + "kill-coordinator, slow-stage, drop-frame, duplicate-frame, delay-frame, reorder-frame, corrupt-frame, "
          + "fail-checkpoint-write, corrupt-checkpoint",
      "kill-stage:2|inject [kill-stage:2]: expected KIND:STAGE@ITERATION[.INDEX][xFACTOR], e.g. kill-stage:2@5.17 "
          + "or slow-stage:1@3x4",
      "kill-stage:2@5x3|inject [kill-stage:2@5x3]: kill-stage takes no xFACTOR; only slow-stage and delay-frame do",
      "slow-stage:1@3|inject [slow-stage:1@3]: slow-stage needs xFACTOR (the slow-down, e.g. x4)",
      "slow-stage:1@3x0|inject [slow-stage:1@3x0]: factor 0 must be a positive number",
      "kill-stage:-1@2|inject [kill-stage:-1@2]: expected KIND:STAGE@ITERATION[.INDEX][xFACTOR], e.g. "
          + "kill-stage:2@5.17 or slow-stage:1@3x4",
      "kill-stage:99999999999@2|inject [kill-stage:99999999999@2]: 99999999999 is too large"})
  void rejectsBadTextNamingItAndWhatIsAccepted(String text, String message) {
    assertThatThrownBy(() -> Injection.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void parsesAListStoppingAtTheFirstBadEntry() {
    assertThat(Injection.parseAll(List.of("kill-stage:0@1", "slow-stage:1@0x2"))).hasSize(2);
    assertThatThrownBy(() -> Injection.parseAll(List.of("kill-stage:0@1", "nope")))
        .hasMessageStartingWith("inject [nope]");
  }
}
