package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.zbpp.client.JobSpecs;
import io.zbpp.client.ZbppClient;
import io.zbpp.jobs.JobApi;
import io.zbpp.jobs.JobApiServer;
import io.zbpp.jobs.JobStore;
import io.zbpp.jobs.Tokens;
import io.zbpp.protocol.jobs.JobSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zbpp watch} across a hand-over of the job API (docs/faults.md "Coordinator failover"): the server goes
 * away mid-job, the watch says so and waits, a new server on the same address and records resumes the job from
 * its checkpoint, and the watch goes on from where it was — every event printed once, in order, to the end.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WatchFailoverTest {
  @TempDir Path dir;

  @Test
  void aWatchFollowsTheJobAcrossAHandOverPrintingEveryEventOnce() throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), "alice:alice-token\n");
    Path data = dir.resolve("data");
    JobSpec spec = JobSpecs.builder("zb-2p", 2, 4).iterations(60).model("tiny").seed(9).checkpointEvery(5)
        .checkpointDir(dir.resolve("ckpt").toString()).build();
    JobStore first = JobStore.open(data);
    JobApi firstApi = new JobApi(first, new TrainJobRunner(2), Clock.systemUTC());
    JobApiServer firstServer = JobApiServer.start("127.0.0.1", 0, Optional.empty(), firstApi, Tokens.load(tokens));
    int port = firstServer.port();
    String id;
    try (ZbppClient alice = ZbppClient.connect("127.0.0.1:" + port, ZbppClient.options().token("alice-token"))) {
      id = alice.submit(spec);
    }
    CompletableFuture<Cli> watch = CompletableFuture.supplyAsync(() -> Cli.run("watch", id, "--json", "--server",
        "127.0.0.1:" + port, "--token-file", tokens.toString()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (first.get(id).orElseThrow().getIterationsDone() < 12 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    firstApi.handOver();
    firstServer.close();
    first.close();
    Thread.sleep(1500);

    JobStore second = JobStore.open(data);
    try (JobApiServer secondServer = JobApiServer.start("127.0.0.1", port, Optional.empty(),
        new JobApi(second, new TrainJobRunner(2), Clock.systemUTC()), Tokens.load(tokens))) {
      Cli watched = watch.get(150, TimeUnit.SECONDS);
      assertThat(watched.exit()).as(watched.err()).isZero();
      assertThat(watched.err()).contains("zbpp watch: the job API went away (").contains("watching " + id
          + " again for up to 180 s");
      List<JsonObject> events = watched.out().lines().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
      assertThat(events).extracting(e -> e.has("sequence") ? e.get("sequence").getAsLong() : 0L)
          .as("every event once, in order").isSorted().doesNotHaveDuplicates();
      assertThat(events).filteredOn(e -> e.has("recovered")).singleElement()
          .satisfies(e -> assertThat(e.getAsJsonObject("recovered").get("fault").getAsString())
              .isEqualTo("the coordinator stopped while the job was running"));
      assertThat(events.get(events.size() - 1).getAsJsonObject("finished").get("state").getAsString())
          .isEqualTo("SUCCEEDED");
      JsonObject whole = Cli.run("train", "--schedule", "zb-2p", "--stages", "2", "--microbatches", "4",
          "--iterations", "60", "--model", "tiny", "--seed", "9", "--json").json();
      try (ZbppClient alice = ZbppClient.connect("127.0.0.1:" + port, ZbppClient.options().token("alice-token"))) {
        assertThat(alice.result(id).getParamsSha256()).isEqualTo(whole.get("paramsSha256").getAsString());
      }
    } finally {
      second.close();
    }
  }
}
