package io.zbpp.schedule.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Timeline;
import io.zbpp.schedule.Validator;
import io.zbpp.schedule.paper.PaperSetting;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The closed forms of docs/design.md §3 and §5 with equal per-stage costs and no communication. "Bubble" is
 * cost − m·(T_F+T_B+T_W) with the cost from the simulator; memory uses the paper's deltas (docs/design.md §2) of
 * the 1.5B model: ΔM(F) = M_B, ΔM(B) = M_W − M_B, ΔM(W) = −M_W.
 */
class ClosedFormTest {
  private static final PaperSetting MODEL = PaperSetting.all().get(0);
  private static final double M_B = MODEL.memF();

  /** Times that satisfy every handcrafted schedule's assumption T_W ≤ T_F, T_B (and T_F+T_B ≥ 2T_W). */
  private static final List<double[]> TIMES = List.of(
      new double[] {1, 1, 1}, new double[] {2, 2, 1}, new double[] {3, 2, 1}, new double[] {2, 3, 1.5},
      new double[] {1.5, 1, 0.5});
  private static final int[] STAGES = {1, 2, 3, 4, 8};

  static Stream<Arguments> cases(IntFunction<int[]> microbatches) {
    List<Arguments> out = new ArrayList<>();
    for (int p : STAGES) {
      for (int m : microbatches.apply(p)) {
        for (double[] t : TIMES) {
          out.add(Arguments.of(p, m, t[0], t[1], t[2]));
        }
      }
    }
    return out.stream();
  }

  static Stream<Arguments> anyM() {
    return cases(p -> new int[] {1, p, p + 1, 2 * p, 3 * p});
  }

  static Stream<Arguments> atLeastP() {
    return cases(p -> new int[] {p, p + 1, 2 * p, 3 * p});
  }

  static Stream<Arguments> multipleOfP() {
    return cases(p -> new int[] {p, 2 * p, 3 * p});
  }

  static Stream<Arguments> atLeast2p() {
    return cases(p -> new int[] {2 * p, 2 * p + 1, 3 * p, 8 * p});
  }

  private static Timeline run(String name, int p, int m, int v, double tf, double tb, double tw) {
    CostModel costs = CostModel.builder(p).times(tf, tb, tw).comm(0)
        .mem(MODEL.memF(), MODEL.memB(), MODEL.memW()).build();
    return Validator.validate(Schedules.byName(name).plan(new Shape(p, m, v), costs), costs).orThrow();
  }

  private static double bubble(Timeline tl, int m, double tf, double tb, double tw) {
    return tl.cost() - m * (tf + tb + tw);
  }

  private static double highestPeak(Timeline tl) {
    return tl.peakMemory().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
  }

  @ParameterizedTest(name = "p={0} m={1} T=({2},{3},{4})")
  @MethodSource("atLeastP")
  void oneFOneBHasBubblePMinusOneTimesTheWorkAndPeakPMbOnStageZero(int p, int m, double tf, double tb,
      double tw) {
    Timeline tl = run("1f1b", p, m, 1, tf, tb, tw);
    assertThat(bubble(tl, m, tf, tb, tw)).isCloseTo((p - 1) * (tf + tb + tw), within(1e-9));
    assertThat(tl.peakMemory(0)).isCloseTo(p * M_B, within(1e-9 * M_B));
    assertThat(highestPeak(tl)).isCloseTo(p * M_B, within(1e-9 * M_B));
  }

  @ParameterizedTest(name = "p={0} m={1} T=({2},{3},{4})")
  @MethodSource("anyM")
  void gpipeHasTheSameBubbleAsOneFOneBButHoldsAllMicrobatches(int p, int m, double tf, double tb, double tw) {
    Timeline tl = run("gpipe", p, m, 1, tf, tb, tw);
    assertThat(bubble(tl, m, tf, tb, tw)).isCloseTo((p - 1) * (tf + tb + tw), within(1e-9));
    assertThat(highestPeak(tl)).isCloseTo(m * M_B, within(1e-9 * m * M_B));
  }

  @ParameterizedTest(name = "p={0} m={1} T=({2},{3},{4})")
  @MethodSource("atLeastP")
  void zbH1HasBubblePMinusOneTimesTfPlusTbMinusTwAndPeakPMb(int p, int m, double tf, double tb, double tw) {
    Timeline tl = run("zb-h1", p, m, 1, tf, tb, tw);
    assertThat(bubble(tl, m, tf, tb, tw)).isCloseTo((p - 1) * (tf + tb - tw), within(1e-9));
    assertThat(tl.peakMemory(0)).isCloseTo(p * M_B, within(1e-9 * M_B));
    assertThat(highestPeak(tl)).isCloseTo(p * M_B, within(1e-9 * M_B));
  }

  @ParameterizedTest(name = "p={0} m={1} T=({2},{3},{4})")
  @MethodSource("atLeast2p")
  void zbH2HasBubblePMinusOneTimesTfPlusTbMinusTwoTwAndPeakTwoPMinusOneMb(int p, int m, double tf, double tb,
      double tw) {
    Timeline tl = run("zb-h2", p, m, 1, tf, tb, tw);
    assertThat(bubble(tl, m, tf, tb, tw)).isCloseTo((p - 1) * (tf + tb - 2 * tw), within(1e-9));
    assertThat(tl.peakMemory(0)).isCloseTo((2 * p - 1) * M_B, within(1e-9 * p * M_B));
    assertThat(highestPeak(tl)).isCloseTo((2 * p - 1) * M_B, within(1e-9 * p * M_B));
  }

  @ParameterizedTest(name = "p={0} m={1} T=({2},{3},{4})")
  @MethodSource("multipleOfP")
  void interleavedOneFOneBDividesTheBubbleByTheChunksPerStage(int p, int m, double tf, double tb, double tw) {
    for (int v = 2; v <= 3; v++) {
      Timeline tl = run("1f1b-i", p, m, v, tf, tb, tw);
      assertThat(bubble(tl, m, tf, tb, tw)).as("v=%d", v).isCloseTo((p - 1) * (tf + tb + tw) / v, within(1e-9));
    }
  }

  @ParameterizedTest(name = "p={0} m={1} T=({2},{3},{4})")
  @MethodSource("atLeast2p")
  void zbH2PaysTwoCommunicationHopsPerStageWhenCommIsNotZero(int p, int m, double tf, double tb, double tw) {
    double comm = tw / 4;
    CostModel costs = CostModel.uniform(p, tf, tb, tw, comm);
    Timeline tl = Validator.validate(Schedules.byName("zb-h2").plan(Shape.of(p, m), costs), costs).orThrow();
    assertThat(bubble(tl, m, tf, tb, tw)).isCloseTo((p - 1) * (tf + tb + 2 * comm - 2 * tw), within(1e-9));
  }

  static Stream<Arguments> zbVShapes() {
    List<Arguments> out = new ArrayList<>();
    for (int p : new int[] {1, 2, 3, 4, 8, 16}) {
      for (int m : new int[] {2 * p, 2 * p + 1, 3 * p, 8 * p}) {
        for (double t : new double[] {1, 2.5}) {
          out.add(Arguments.of(p, m, t));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "p={0} m={1} T={2}")
  @MethodSource("zbVShapes")
  void zbVHasZeroBubbleAndPeakPMbOnEveryWorkerWhenPassTimesAreEqual(int p, int m, double t) {
    Timeline tl = run("zb-v", p, m, 2, t, t, t);
    assertThat(bubble(tl, m, t, t, t)).isCloseTo(0, within(1e-9));
    for (int s = 0; s < p; s++) {
      assertThat(tl.peakMemory(s)).as("stage %d", s).isCloseTo(p * M_B, within(1e-9 * p * M_B));
    }
  }
}
