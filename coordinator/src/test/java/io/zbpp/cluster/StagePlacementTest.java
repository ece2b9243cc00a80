package io.zbpp.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.cluster.StagePlacement.Slot;
import io.zbpp.cluster.StagePlacement.Worker;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StagePlacementTest {
  private static Worker worker(String node, Integer... free) {
    return new Worker(node, List.of(free));
  }

  @Test
  void putsConsecutiveStagesOnTheSameWorker() {
    StagePlacement p = StagePlacement.place(List.of(worker("b", 0, 1), worker("a", 0, 1)), 4);
    assertThat(p.slots()).containsExactly(new Slot(0, "a", 0), new Slot(1, "a", 1), new Slot(2, "b", 0),
        new Slot(3, "b", 1));
    assertThat(p.crossNodeEdges()).isEqualTo(1);
    assertThat(p.on("b")).extracting(Slot::stage).containsExactly(2, 3);
  }

  @Test
  void usesAsFewWorkersAsHoldTheStages() {
    StagePlacement p = StagePlacement.place(List.of(worker("a", 0), worker("b", 0, 1, 2, 3), worker("c", 0)), 4);
    assertThat(p.nodes()).containsExactly("b");
    assertThat(p.crossNodeEdges()).isZero();
  }

  @Test
  void skipsBusyDevices() {
    StagePlacement p = StagePlacement.place(List.of(worker("a", 1, 3), worker("b")), 2);
    assertThat(p.slots()).containsExactly(new Slot(0, "a", 1), new Slot(1, "a", 3));
  }

  @Test
  void oneStagePerWorkerWhenEachHasOneDevice() {
    StagePlacement p = StagePlacement.place(List.of(worker("w3", 0), worker("w1", 0), worker("w2", 0)), 3);
    assertThat(p.nodes()).containsExactly("w1", "w2", "w3");
    assertThat(p.crossNodeEdges()).isEqualTo(2);
    assertThat(p.toString()).isEqualTo("stage 0: w1 device 0\nstage 1: w2 device 0\nstage 2: w3 device 0\n");
  }

  @ParameterizedTest
  @CsvSource({"4, 3, 2, 'needed 4 devices for 4 stages, found 3 free on 2 workers'",
      "2, 0, 0, 'needed 2 devices for 2 stages, found 0 free on 0 workers'",
      "8, 1, 1, 'needed 8 devices for 8 stages, found 1 free on 1 worker'"})
  void namesHowManyDevicesWereNeededAndFound(int stages, int free, int workers, String message) {
    List<Worker> ws = workers == 0 ? List.of() : workers == 1 ? List.of(worker("a", 0))
        : List.of(worker("a", 0, 1), worker("b", 0));
    assertThatThrownBy(() -> StagePlacement.place(ws, stages)).isInstanceOf(StagePlacement.NotEnoughDevices.class)
        .hasMessage(message);
  }
}
