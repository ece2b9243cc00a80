package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;

import io.zbpp.client.JobSpecs;
import io.zbpp.client.ZbppClient;
import io.zbpp.jobs.JobApiServer;
import io.zbpp.jobs.JobStore;
import io.zbpp.jobs.Tokens;
import io.zbpp.protocol.jobs.CheckpointWritten;
import io.zbpp.protocol.jobs.JobEvent;
import io.zbpp.protocol.jobs.JobSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job submitted to the job API with checkpoints sends a CheckpointWritten event per checkpoint written, after
 * the iteration it covers and before the job's end, and its records keep them (in-JVM runtime, loopback TCP).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JobCheckpointEventsTest {
  @TempDir Path dir;

  /** A job API on the in-JVM runtime with two devices, its records, and a client of it. */
  private record Api(JobStore store, JobApiServer server, ZbppClient alice) implements AutoCloseable {
    static Api open(Path dir) throws Exception {
      Path tokens = Files.writeString(dir.resolve("tokens"), "alice:alice-token\n");
      JobStore store = JobStore.open(dir.resolve("data"));
      JobApiServer server = JobApiServer.start(0, Optional.empty(), store, new TrainJobRunner(2), Tokens.load(tokens));
      return new Api(store, server, ZbppClient.connect("127.0.0.1:" + server.port(),
          ZbppClient.options().token("alice-token")));
    }

    /** Every event of job {@code id}, to its end. */
    List<JobEvent> watchToEnd(String id) {
      List<JobEvent> watched = new ArrayList<>();
      try (ZbppClient.Events events = alice.watch(id)) {
        events.forEachRemaining(watched::add);
      }
      return watched;
    }

    @Override
    public void close() {
      alice.close();
      server.close();
      store.close();
    }
  }

  @Test
  void everyCheckpointWrittenIsAnEventBetweenTheIterationsAndKeptInTheJobsRecords() throws Exception {
    Path checkpoints = dir.resolve("ckpt");
    JobSpec spec = JobSpecs.builder("zb-2p", 2, 4).iterations(4).model("tiny").seed(5).checkpointEvery(2)
        .checkpointDir(checkpoints.toString()).build();
    try (Api api = Api.open(dir)) {
      JobStore store = api.store();
      String id = api.alice().submit(spec);
      List<JobEvent> watched = api.watchToEnd(id);

      List<String> kinds = watched.stream().map(JobCheckpointEventsTest::kind).toList();
      assertThat(kinds.stream().filter(k -> k.startsWith("iteration"))).as("%s", kinds)
          .containsExactly("iteration 0", "iteration 1", "iteration 2", "iteration 3");
      assertThat(kinds.stream().filter(k -> k.startsWith("checkpoint"))).as("%s", kinds)
          .containsExactly("checkpoint 2", "checkpoint 4");
      // a checkpoint covering N iterations comes after iteration N-1 (it may come after later ones: it is written
      // beside the training), and before the job's end
      assertThat(kinds.indexOf("checkpoint 2")).as("%s", kinds).isGreaterThan(kinds.indexOf("iteration 1"));
      assertThat(kinds.indexOf("checkpoint 4")).as("%s", kinds).isGreaterThan(kinds.indexOf("iteration 3"));
      assertThat(kinds.get(kinds.size() - 1)).as("%s", kinds).isEqualTo("finished SUCCEEDED");

      for (CheckpointWritten c : watched.stream().filter(JobEvent::hasCheckpointWritten)
          .map(JobEvent::getCheckpointWritten).toList()) {
        String name = String.format("ckpt-%06d", c.getIteration());
        assertThat(c.getName()).isEqualTo(name);
        assertThat(Path.of(c.getLocation())).isEqualTo(checkpoints.resolve(name));
        assertThat(c.getBytes()).as(name).isPositive().isEqualTo(shardBytes(checkpoints.resolve(name)));
      }
      assertThat(store.events(id).stream().map(JobCheckpointEventsTest::kind).toList())
          .as("the job's records, as a later watcher gets them").isEqualTo(kinds);
    }
  }

  /**
   * A stage killed in iteration 3 of a submitted job: one {@code recovered} event names the fault and the
   * checkpoint it resumes from, the iterations after it come again, and the result is a fault-free run's.
   */
  @Test
  void aRecoveryFromALostStageIsARecoveredEventAndTheResultIsTheFaultFreeOne() throws Exception {
    JobSpec spec = JobSpecs.builder("zb-2p", 2, 4).iterations(5).model("tiny").seed(5).checkpointEvery(2)
        .checkpointDir(dir.resolve("ckpt").toString()).build().toBuilder().addInject("kill-stage:1@3.2").build();
    try (Api api = Api.open(dir)) {
      String id = api.alice().submit(spec);
      List<JobEvent> watched = api.watchToEnd(id);
      List<String> kinds = watched.stream().map(JobCheckpointEventsTest::kind).toList();
      assertThat(kinds.get(kinds.size() - 1)).as("%s", kinds).isEqualTo("finished SUCCEEDED");
      assertThat(watched).filteredOn(JobEvent::hasRecovered).as("%s", kinds).singleElement().satisfies(e -> {
        assertThat(e.getRecovered().getFromIteration()).isEqualTo(2);
        assertThat(e.getRecovered().getFault()).startsWith("stage 1 lost");
      });
      assertThat(kinds.subList(kinds.indexOf("RECOVERED"), kinds.size()).stream()
          .filter(k -> k.startsWith("iteration"))).as("%s", kinds)
          .containsExactly("iteration 2", "iteration 3", "iteration 4");
      JsonObject whole = Cli.run("train", "--schedule", "zb-2p", "--stages", "2", "--microbatches", "4",
          "--iterations", "5", "--model", "tiny", "--seed", "5", "--json").json();
      assertThat(api.alice().result(id).getParamsSha256()).isEqualTo(whole.get("paramsSha256").getAsString());
    }
  }

  private static String kind(JobEvent e) {
    return switch (e.getEventCase()) {
      case ITERATION -> "iteration " + e.getIteration().getIteration();
      case CHECKPOINT_WRITTEN -> "checkpoint " + e.getCheckpointWritten().getIteration();
      case FINISHED -> "finished " + e.getFinished().getState() + e.getFinished().getReason();
      default -> e.getEventCase().toString();
    };
  }

  private static long shardBytes(Path checkpoint) throws IOException {
    try (Stream<Path> files = Files.list(checkpoint)) {
      return files.filter(f -> f.getFileName().toString().startsWith("stage-")).mapToLong(f -> f.toFile().length())
          .sum();
    }
  }
}
