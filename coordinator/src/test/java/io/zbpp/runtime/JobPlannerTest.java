package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.protocol.msg.ResolvedJob;
import io.zbpp.protocol.msg.ModelSpec;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.schedule.CostModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobPlannerTest {
  static ResolvedJob spec(int p, int m, List<Double> tf, ModelShape model, double memLimit, double factor) {
    return new ResolvedJob("j", "1f1b", "", p, m, 1, 2, tf, tf, tf, 0.5, model, memLimit, factor, 4096,
        OptimizerOptions.none(), List.of(), List.of(), List.of(), ModelSpec.none());
  }

  @Test
  void usesProfiledTimesWhenGiven() {
    CostModel c = CostModels.of(spec(2, 4, List.of(3.0, 4.0), new ModelShape(0, 0, 0, 0, 1), 0, 0));

    assertThat(c.tf(1)).isEqualTo(4.0);
    assertThat(c.comm()).isEqualTo(0.5);
    assertThat(c.hasMemLimit()).isFalse();
  }

  @Test
  void estimatesFromTheModelShapeWithThePapersMemoryDeltas() {
    ModelShape gpt = new ModelShape(8, 64, 4, 32, 2);
    CostModel c = CostModels.of(spec(4, 4, List.of(), gpt, 0, 2));
    double perLayerF = 32 * 2 * (34.0 * 64 + 5.0 * 4 * 32);

    assertThat(c.memF(0)).isEqualTo(2 * perLayerF);
    assertThat(c.memW(0)).isEqualTo(-2 * 32 * 2 * 32.0 * 64);
    assertThat(c.tw(0)).isEqualTo(c.tf(0) / 2);
    assertThat(c.memLimit()).isEqualTo(2 * 4 * c.memF(0));
  }

  static ResolvedJob withMemory(int p, double factor, List<Double> memF, List<Double> memB, List<Double> memW) {
    return new ResolvedJob("j", "1f1b", "", p, 4, 1, 2, List.of(), List.of(), List.of(), 0,
        new ModelShape(8, 64, 4, 32, 2), 0, factor, 4096, io.zbpp.protocol.msg.OptimizerOptions.none(), memF, memB,
        memW, ModelSpec.none());
  }

  @Test
  void givenMemoryDeltasReplaceTheModelShapesPassByPass() {
    CostModel shaped = CostModels.of(withMemory(4, 0, List.of(), List.of(), List.of()));
    CostModel c = CostModels.of(withMemory(4, 1.5, List.of(3.0, 4.0, 5.0, 6.0), List.of(), List.of(-2.0)));

    assertThat(c.memF(0)).isEqualTo(3.0);
    assertThat(c.memF(3)).isEqualTo(6.0);
    assertThat(c.memB(2)).isEqualTo(shaped.memB(2));
    assertThat(c.memW(0)).isEqualTo(-2.0);
    assertThat(c.memW(3)).isEqualTo(-2.0);
    assertThat(c.tf(0)).isEqualTo(shaped.tf(0));
    assertThat(c.memLimit()).isEqualTo(1.5 * 4 * 3.0); // --mem-limit-factor K·p·ΔM(F) of stage 0, as given
  }

  @Test
  void refusesAMemoryDeltaListOfAnotherLengthNamingTheOption() {
    assertThatThrownBy(() -> CostModels.of(withMemory(4, 0, List.of(), List.of(1.0, 0.5), List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("memB [1,0.5]: 2 values for 4 stages; expected one value or 4, one per stage");
  }

  @Test
  void predictsTheSimulatedBubbleOfThePlan() {
    JobPlanner.Planned planned = JobPlanner.plan(spec(4, 8, List.of(1.0), new ModelShape(0, 0, 0, 0, 1), 0, 0));

    assertThat(planned.predictedBubbleRate()).isEqualTo(planned.compiled().timeline().bubbleRate());
    assertThat(planned.compiled().programs().stages()).hasSize(4);
  }

  @Test
  void refusesAPlanTextOfAnotherShape() {
    ResolvedJob s = new ResolvedJob("j", "custom", "0: F0 BW0\n", 2, 1, 1, 1, List.of(), List.of(), List.of(), 0,
        new ModelShape(0, 0, 0, 0, 1), 0, 0, 4096, OptimizerOptions.none(), List.of(), List.of(), List.of(),
        ModelSpec.none());

    assertThatThrownBy(() -> JobPlanner.plan(s)).hasMessage("planText [p=1 m=1]: the job asks for p=2 m=1");
  }
}
