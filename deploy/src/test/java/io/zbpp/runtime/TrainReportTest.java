package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.runtime.TrainReport.TimelineBar;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainReportTest {
  private static final TrainReport REPORT = new TrainReport("1f1b", 2, 1, List.of(0.5, Double.NaN), "ab", 0.25,
      0.3, List.of(0.2, 0.3), List.of(10.0, 8.0), 125.0,
      List.of(new TimelineBar(1, 0, "F", 0, 0, 0, 1), new TimelineBar(1, 1, "BW", 0, 1, 1.5, 3)), "0: F0 BW0\n");

  @Test
  void drawsOneBoxPerPassOfTheChosenIteration() {
    String html = TimelineSvg.html(REPORT, 1);

    assertThat(html).contains("<title>F0 chunk 0 [0.000, 1.000] ms</title>")
        .contains("<title>BW0 chunk 1 [1.500, 3.000] ms</title>")
        .contains("iteration 2 of 2").contains("bubble rate predicted 0.2500, realized 0.3000");
    assertThat(html.split("class=\"pass ", -1)).hasSize(3);
  }
}
