package io.zbpp.schedule.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Validator;
import io.zbpp.schedule.paper.PaperSetting;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * With the paper's profiled costs (docs/design.md §7, m = 3p rows), the simulated bubble rates of 1F1B, ZB-H1 and
 * ZB-H2 agree with the published ones within 0.002.
 */
class PublishedBubbleRateTest {
  static Stream<Arguments> publishedRows() {
    List<Arguments> out = new ArrayList<>();
    for (PaperSetting setting : PaperSetting.all()) {
      for (String name : List.of("1f1b", "zb-h1", "zb-h2")) {
        if (setting.published().containsKey(name)) {
          out.add(Arguments.of(setting, name));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("publishedRows")
  void bubbleRateMatchesThePublishedOne(PaperSetting setting, String name) {
    var costs = setting.costModel();
    var timeline = Validator.validate(Schedules.byName(name).plan(setting.shape(), costs), costs).orThrow();

    assertThat(timeline.bubbleRate()).isCloseTo(setting.published().get(name), within(0.002));
  }

  @org.junit.jupiter.api.Test
  void everySettingWithPublishedValuesIsCovered() {
    assertThat(publishedRows()).hasSize(12);
  }
}
