package io.zbpp.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.IterationResult;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker shut down mid-job (its coordinated shutdown, which SIGTERM runs through the JVM's hook) tells the
 * coordinator first: the job fails with one line naming the worker and what to do, the iteration is aborted on
 * every stage, and the devices of the remaining workers are free for the next job.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WorkerDepartureTest {
  private final List<ClusterNode> nodes = new ArrayList<>();

  @AfterEach
  void stopCluster() {
    nodes.forEach(ClusterNode::close);
  }

  private ClusterNode start(List<String> seeds, String role, java.util.function.Consumer<
      org.apache.pekko.actor.typed.javadsl.ActorContext<Void>> setup) {
    ClusterNode n = ClusterNode.start(TestNodes.settings(seeds, Optional.empty()), role, setup, TestNodes.TEST);
    nodes.add(n);
    return n;
  }

  private static TrainSpec job(int stages, int iterations) {
    GptConfig c = GptConfig.preset("tiny");
    RunnerSpec runner = RunnerSpec.of("tiny", Backend.CPU, 1, 4, 1, stages);
    return TrainSpec.builder("1f1b", stages, 4).iterations(iterations).availableChunks(c.layers())
        .model(new ModelShape(c.layers(), c.hidden(), c.heads(), c.seqLen(), 1)).serializeMessages(true)
        .modelSpec(ModelChunks.specOf(runner)).build();
  }

  @Test
  void aWorkerLeavingMidJobFailsTheJobWithOneLineNamingItAndFreesTheOthers() throws Exception {
    ClusterNode c = start(List.of(), Roles.COORDINATOR, Roles.coordinator(ClusterCoordinator.behavior(
        Duration.ofSeconds(20))));
    c.awaitUp(Duration.ofSeconds(30));
    List<String> seed = List.of(c.seed());
    ClusterNode stays = start(seed, Roles.WORKER, Roles.worker(1, "cpu", WorkerStages.fromProgram()));
    ClusterNode leaves = start(seed, Roles.WORKER, Roles.worker(1, "cpu", WorkerStages.fromProgram()));
    ClusterNode client = start(seed, Roles.CLIENT, ctx -> { });
    nodes.forEach(n -> n.awaitUp(Duration.ofSeconds(30)));
    ActorRef<CoordinatorCommand> coordinator = Roles.singleton(client.system(),
        ClusterCoordinator.behavior(Duration.ofSeconds(20)));

    CompletableFuture<Void> firstIteration = new CompletableFuture<>();
    CompletableFuture<TrainReport> run = CompletableFuture.supplyAsync(() -> ClusterTraining.train(client.system(),
        coordinator, job(2, 100_000), new LocalTraining.Listener() {
          @Override
          public void iteration(IterationResult r) {
            firstIteration.complete(null);
          }
        }));
    firstIteration.get(90, TimeUnit.SECONDS);
    leaves.close();

    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> run.get(60, TimeUnit.SECONDS));
    assertThat(failure).isInstanceOf(java.util.concurrent.ExecutionException.class);
    String line = failure.getCause().getMessage();
    // with no spare the recovery fails; its line names the leaving worker: as the worker that left, or (when the
    // recovery placed a stage on it again before it was gone) as the host of the stage lost in the replay
    assertThat(line).contains(leaves.address().toString()).contains("add a worker")
        .doesNotContain("data link").doesNotContain("\n");
    leaves.terminated().get(30, TimeUnit.SECONDS);

    // the aborted job's stage on the remaining worker stopped: its device takes the next job
    TrainReport next = ClusterTraining.train(client.system(), coordinator, job(1, 1), new LocalTraining.Listener() { });
    assertThat(next.losses()).hasSize(1);
  }
}
