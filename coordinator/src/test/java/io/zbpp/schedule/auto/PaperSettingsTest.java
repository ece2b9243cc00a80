package io.zbpp.schedule.auto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.Validator;
import io.zbpp.schedule.paper.PaperSetting;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ZB-1p and ZB-2p on the paper's twelve settings (docs/design.md §7), with the memory deltas of
 * {@link PaperSetting}. Published targets exist at m = 3p: at the published precision (4 decimals), ZB-2p
 * must not exceed the published ZB-2p and ZB-1p must not exceed the published ZB-H1 (the paper's ZB-1p
 * equalled ZB-H1). Every setting: ZB-1p beats 1F1B, ZB-2p is no worse than ZB-1p, and both match the
 * bubble rates that the reference implementation's heuristic gives on the same inputs.
 */
class PaperSettingsTest {
  /** The reference heuristic's bubble rates (ZB-1p, ZB-2p) on the twelve settings, to 6 decimals. */
  private static final double[][] REFERENCE = {
      {0.158520, 0.043310}, {0.124186, 0.003914}, {0.067397, 0.002552},
      {0.132295, 0.002868}, {0.104484, 0.002162}, {0.055371, 0.001046},
      {0.139732, 0.006617}, {0.108828, 0.005360}, {0.057607, 0.002809},
      {0.142148, 0.003760}, {0.110616, 0.002862}, {0.059431, 0.001835}};

  static Stream<Arguments> settings() {
    return IntStream.range(0, PaperSetting.all().size())
        .mapToObj(i -> Arguments.of(PaperSetting.all().get(i).label(), i));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("settings")
  void zb2pMeetsThePublishedBubbleRate(String label, int index) {
    PaperSetting ps = PaperSetting.all().get(index);
    double zb2p = bubble("zb-2p", ps, 2);
    assertThat(zb2p).isCloseTo(REFERENCE[index][1], within(1e-6));
    if (ps.published().containsKey("zb-2p")) {
      assertThat(published(zb2p)).isLessThanOrEqualTo(ps.published().get("zb-2p"));
    }
    assertThat(zb2p).isLessThanOrEqualTo(bubble("zb-1p", ps, 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("settings")
  void zb1pMeetsZbH1AndBeats1f1b(String label, int index) {
    PaperSetting ps = PaperSetting.all().get(index);
    double zb1p = bubble("zb-1p", ps, 1);
    assertThat(zb1p).isCloseTo(REFERENCE[index][0], within(1e-6));
    if (ps.published().containsKey("zb-h1")) {
      assertThat(published(zb1p)).isLessThanOrEqualTo(ps.published().get("zb-h1"));
    }
    double oneFOneB = Simulator.simulate(Schedules.byName("1f1b").plan(ps.shape(), ps.costModel()), ps.costModel())
        .bubbleRate();
    assertThat(zb1p).isLessThan(oneFOneB);
  }

  /** A bubble rate at the paper's published precision (4 decimals). */
  private static double published(double rate) {
    return Math.round(rate * 1e4) / 1e4;
  }

  /** Plans with the named scheduler, checks the plan under k·p·ΔM(F), and returns its bubble rate. */
  private static double bubble(String schedule, PaperSetting ps, int k) {
    CostModel limited = ps.costModel().withMemLimit(k * ps.stages() * ps.memF());
    var timeline = Validator.validate(Schedules.byName(schedule).plan(ps.shape(), ps.costModel()), limited).orThrow();
    assertThat(timeline.peakMemory(0)).isLessThanOrEqualTo(k * ps.stages() * ps.memF());
    return timeline.bubbleRate();
  }
}
