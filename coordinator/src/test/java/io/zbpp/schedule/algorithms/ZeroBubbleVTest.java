package io.zbpp.schedule.algorithms;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Validator;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ZeroBubbleVTest {
  private final ZeroBubbleV zbV = new ZeroBubbleV();

  @Test
  void phaseOrderIsUsedWithoutFallbackForEveryShapeUpToTenStages() {
    for (int p = 1; p <= 10; p++) {
      for (int m = 1; m <= 3 * p + 1; m++) {
        Shape shape = Shape.of(p, m);
        assertThat(zbV.plan(shape, CostModel.uniform(p, 1, 1, 1, 0))).as("p=%d m=%d", p, m)
            .isEqualTo(zbV.phases(shape));
      }
    }
  }

  @Test
  void greedyFallbackIsValidUnderHeterogeneousCostsAndHoldsAtMostPMbWithEqualCosts() {
    Random rnd = new Random(7);
    for (int p : new int[] {1, 2, 3, 5, 8}) {
      for (int m : new int[] {1, p, 2 * p + 1, 3 * p}) {
        CostModel hetero = SchedulerGridTest.randomCosts(p, rnd);
        var v = Validator.validate(zbV.greedy(Shape.of(p, m), hetero), hetero);
        assertThat(v.ok()).as(v::report).isTrue();

        CostModel equal = CostModel.uniform(p, 1, 1, 1, 0);
        var tl = Validator.validate(zbV.greedy(Shape.of(p, m), equal), equal).orThrow();
        for (int s = 0; s < p; s++) {
          assertThat(tl.peakMemory(s)).as("p=%d m=%d stage %d", p, m, s).isLessThanOrEqualTo(p);
        }
      }
    }
  }
}
