package io.zbpp.schedule.auto;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Timeline;
import io.zbpp.schedule.Validator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * zb-1p, zb-2p and zb-auto (under the smallest accepted limit, 1, 1.5 and 3 × p·ΔM(F), and unlimited) over
 * p ∈ {1,2,3,4,8,16,32} × m ∈ {1, p−1, p, p+1, 2p, 3p, 8p} with random heterogeneous per-stage times and
 * memory deltas (paper-style: ΔM(F) > 0, ΔM(B) = M_W − ΔM(F), ΔM(W) = −M_W) and T_comm ≥ 0. Every plan
 * of every choice combination validates under its limit, memory included, and its cost is the simulated
 * cost; the search returns the cheapest of them.
 */
class AutoSchedulerGridTest {
  static Stream<Arguments> shapes() {
    List<Arguments> out = new ArrayList<>();
    for (int p : new int[] {1, 2, 3, 4, 8, 16, 32}) {
      TreeSet<Integer> ms = new TreeSet<>(List.of(1, p - 1, p, p + 1, 2 * p, 3 * p, 8 * p));
      ms.remove(0);
      for (int m : ms) {
        out.add(Arguments.of(p, m));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "p={0} m={1}")
  @MethodSource("shapes")
  void everyCandidateValidatesUnderItsLimit(int p, int m) {
    CostModel costs = randomCosts(p, m);
    Shape shape = Shape.of(p, m);
    for (CostModel limited : limits(costs)) {
      Map<Choices, Double> candidates = AutoScheduler.candidateCosts(shape, limited);
      assertThat(candidates).as("limit " + limited.memLimit()).hasSize(8);
      for (Choices c : Choices.all()) {
        AutoResult r = AutoScheduler.withChoices("zb-auto", shape, limited, c);
        Timeline t = check(r, limited);
        assertThat(t.cost()).isEqualTo(candidates.get(c)).isEqualTo(r.cost());
      }
      AutoResult best = AutoScheduler.search("zb-auto", shape, limited);
      assertThat(best.cost()).isEqualTo(candidates.values().stream().mapToDouble(d -> d).min().orElseThrow());
    }
  }

  @ParameterizedTest(name = "p={0} m={1}")
  @MethodSource("shapes")
  void registeredSchedulersValidateUnderTheirOwnLimit(int p, int m) {
    CostModel costs = randomCosts(p, m);
    for (AutoZeroBubble s : List.of(AutoZeroBubble.oneP(), AutoZeroBubble.twoP(), AutoZeroBubble.auto())) {
      AutoResult r = s.search(Shape.of(p, m), costs);
      check(r, s.limited(costs));
      assertThat(r.plan().schedule()).isEqualTo(s.name());
    }
  }

  private static Timeline check(AutoResult r, CostModel limited) {
    var v = Validator.validate(r.plan(), limited);
    assertThat(v.ok()).as(v::report).isTrue();
    assertThat(v.timeline().cost()).isEqualTo(r.cost());
    assertThat(r.plan().placement().isSingle()).isTrue();
    assertThat(r.plan().stages().stream().flatMap(List::stream).map(Instruction::op)).doesNotContain(Op.BW);
    return v.timeline();
  }

  private static List<CostModel> limits(CostModel costs) {
    double pm = costs.stages() * costs.memF(0);
    return List.of(costs.withMemLimit(AutoScheduler.minimumLimit(costs)), costs.withMemLimit(pm),
        costs.withMemLimit(1.5 * pm), costs.withMemLimit(3 * pm), costs);
  }

  /** Times in [0.2, 2), ΔM(F) in [0.8, 1.2), M_W a random fraction of it; comm 0 for even m. */
  static CostModel randomCosts(int p, int m) {
    Random r = new Random(31L * p + m);
    double[] tf = new double[p];
    double[] tb = new double[p];
    double[] tw = new double[p];
    double[] mf = new double[p];
    double[] mb = new double[p];
    double[] mw = new double[p];
    for (int s = 0; s < p; s++) {
      tf[s] = 0.5 + r.nextDouble();
      tb[s] = 0.5 + 1.5 * r.nextDouble();
      tw[s] = 0.2 + 1.3 * r.nextDouble();
      mf[s] = 0.8 + 0.4 * r.nextDouble();
      double held = mf[s] * (0.1 + 0.8 * r.nextDouble());
      mb[s] = held - mf[s];
      mw[s] = -held;
    }
    double comm = m % 2 == 0 ? 0 : 0.3 * r.nextDouble();
    return CostModel.builder(p).tf(tf).tb(tb).tw(tw).comm(comm).memF(mf).memB(mb).memW(mw).build();
  }
}
