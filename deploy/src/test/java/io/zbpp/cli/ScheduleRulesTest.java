package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.schedule.CostModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScheduleRulesTest {
  @ParameterizedTest
  @CsvSource({"zb-v, 2", "1f1b-i, 2", "1f1b, 1", "zb-h1, 1", "zb-2p, 1", "anything-new, 1"})
  void defaultsChunksPerSchedule(String schedule, int v) {
    assertThat(ScheduleRules.defaultChunks(schedule)).isEqualTo(v);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "zb-v   | 3 | --chunks [3]: zb-v runs exactly 2 chunks per stage; expected 2",
      "zb-v   | 1 | --chunks [1]: zb-v runs exactly 2 chunks per stage; expected 2",
      "1f1b-i | 0 | --chunks [0]: must be at least 1",
      "zb-h2  | 2 | --chunks [2]: zb-h2 runs one chunk per stage; expected 1 (multi-chunk schedules: 1f1b-i, zb-v)"})
  void rejectsChunksTheScheduleCannotRun(String schedule, int v, String message) {
    assertThatThrownBy(() -> ScheduleRules.checkChunks(schedule, v)).isInstanceOf(UsageException.class)
        .hasMessage(message);
  }

  @ParameterizedTest
  @CsvSource({"1f1b-i, 3", "1f1b-i, 1", "zb-v, 2", "1f1b, 1"})
  void acceptsChunksTheScheduleRuns(String schedule, int v) {
    org.assertj.core.api.Assertions.assertThatCode(() -> ScheduleRules.checkChunks(schedule, v))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest
  @CsvSource({"zb-1p, Infinity, 8", "zb-2p, Infinity, 16", "zb-2p, 10, 10", "zb-1p, 100, 8",
      "zb-auto, 5, 5", "1f1b, Infinity, Infinity"})
  void limitsZb1pAndZb2pToWhatTheyImpose(String schedule, double userLimit, double effective) {
    CostModel costs = CostModel.builder(4).mem(2, 0, -2).memLimit(userLimit).build();

    assertThat(PlanRun.effectiveLimit(schedule, costs)).isEqualTo(effective);
  }
}
