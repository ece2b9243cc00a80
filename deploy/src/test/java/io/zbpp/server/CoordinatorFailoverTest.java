package io.zbpp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.ReferenceTrainer;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.runtime.ClusterTraining;
import io.zbpp.runtime.LocalTraining;
import io.zbpp.runtime.TrainReport;
import io.zbpp.runtime.TrainSpec;
import io.zbpp.stage.ModelChunks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The coordinator is a Cluster Singleton: when the coordinator node that hosts it leaves, the next
 * coordinator node takes over, and the next job submitted through the same proxy runs there.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CoordinatorFailoverTest {
  private static final String MODEL = "tiny";
  private final List<ClusterNode> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    nodes.forEach(ClusterNode::close);
  }

  private ClusterNode node(String role, List<String> seeds, java.util.function.Consumer<
      org.apache.pekko.actor.typed.javadsl.ActorContext<Void>> setup) {
    ClusterNode n = ClusterNode.start(TestNodes.settings(seeds, Optional.empty()), role, setup, TestNodes.TEST);
    nodes.add(n);
    return n;
  }

  private static TrainSpec job() {
    GptConfig c = GptConfig.preset(MODEL);
    RunnerSpec runner = RunnerSpec.of(MODEL, Backend.CPU, 5, 2, 1, 2);
    return TrainSpec.builder("1f1b", 2, 2).iterations(1).availableChunks(c.layers())
        .model(new ModelShape(c.layers(), c.hidden(), c.heads(), c.seqLen(), 1)).serializeMessages(true)
        .modelSpec(ModelChunks.specOf(runner)).build();
  }

  @Test
  void theNextCoordinatorTakesOverWhenTheFirstLeaves() {
    ClusterNode first = node(Roles.COORDINATOR, List.of(),
        Roles.coordinator(ClusterCoordinator.behavior(Duration.ofSeconds(20))));
    first.awaitUp(Duration.ofSeconds(30));
    ClusterNode second = node(Roles.COORDINATOR, List.of(first.seed()),
        Roles.coordinator(ClusterCoordinator.behavior(Duration.ofSeconds(20))));
    for (int w = 0; w < 2; w++) {
      node(Roles.WORKER, List.of(first.seed()), Roles.worker(1, "cpu", WorkerStages.fromProgram()));
    }
    ClusterNode client = node(Roles.CLIENT, List.of(first.seed()), ctx -> { });
    nodes.forEach(n -> n.awaitUp(Duration.ofSeconds(30)));
    ActorRef<CoordinatorCommand> coordinator = Roles.singleton(client.system(),
        ClusterCoordinator.behavior(Duration.ofSeconds(20)));

    TrainReport before = ClusterTraining.train(client.system(), coordinator, job(), new LocalTraining.Listener() { });
    first.close();
    nodes.remove(first);
    TrainReport after = ClusterTraining.train(client.system(), coordinator, job(), new LocalTraining.Listener() { });

    try (ReferenceTrainer ref = new ReferenceTrainer(RunnerSpec.of(MODEL, Backend.CPU, 5, 2, 1, 1))) {
      ref.run(1);
      assertThat(before.paramsSha256()).isEqualTo(ref.parameterSha256());
      assertThat(after.paramsSha256()).isEqualTo(ref.parameterSha256());
    }
    assertThat(second.system().whenTerminated().isCompleted()).isFalse();
  }
}
