package io.zbpp.schedule.optimize;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.paper.PaperSetting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TimeScaleTest {
  @ParameterizedTest(name = "{0} {1} {2} {3} -> {4}")
  @CsvSource({"1,2,3,0,1", "1.5,2,3,0.5,10", "18.522,18.086,9.337,0.601,1000", "24.0786,1,1,0,10000"})
  void picksTheCoarsestExactPowerOfTen(double tf, double tb, double tw, double comm, double scale) {
    TimeScale t = TimeScale.of(CostModel.builder(2).times(tf, tb, tw).comm(comm).build());
    assertThat(t.unitsPerTime()).isEqualTo(scale);
    assertThat(t.exact()).isTrue();
  }

  @Test
  void isExactForEveryPaperSetting() {
    for (PaperSetting ps : PaperSetting.all()) {
      TimeScale t = TimeScale.of(ps.costModel());
      assertThat(t.exact()).as(ps.label()).isTrue();
      assertThat(new Instance(ps.costModel(), ps.microbatches(), t).roundingError).isZero();
    }
  }

  @Test
  void fallsBackToTheFinestScaleAndSaysItIsInexact() {
    TimeScale t = TimeScale.of(CostModel.uniform(2, 1.0 / 3, 1, 1, 0));
    assertThat(t.exact()).isFalse();
    assertThat(t.resolution()).isEqualTo(1e-6);
  }
}
