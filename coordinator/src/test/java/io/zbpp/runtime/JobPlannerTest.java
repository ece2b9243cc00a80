package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.protocol.msg.JobSpec;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.schedule.CostModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobPlannerTest {
  static JobSpec spec(int p, int m, List<Double> tf, ModelShape model, double memLimit, double factor) {
    return new JobSpec("j", "1f1b", "", p, m, 1, 2, tf, tf, tf, 0.5, model, memLimit, factor, 4096);
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

  @Test
  void predictsTheSimulatedBubbleOfThePlan() {
    JobPlanner.Planned planned = JobPlanner.plan(spec(4, 8, List.of(1.0), new ModelShape(0, 0, 0, 0, 1), 0, 0));

    assertThat(planned.predictedBubbleRate()).isEqualTo(planned.compiled().timeline().bubbleRate());
    assertThat(planned.compiled().programs().stages()).hasSize(4);
  }

  @Test
  void refusesAPlanTextOfAnotherShape() {
    JobSpec s = new JobSpec("j", "custom", "0: F0 BW0\n", 2, 1, 1, 1, List.of(), List.of(), List.of(), 0,
        new ModelShape(0, 0, 0, 0, 1), 0, 0, 4096);

    assertThatThrownBy(() -> JobPlanner.plan(s)).hasMessage("plan has p=1 m=1, the job asks for p=2 m=1");
  }
}
