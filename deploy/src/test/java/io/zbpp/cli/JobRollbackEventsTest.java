package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import io.zbpp.client.JobSpecs;
import io.zbpp.client.ZbppClient;
import io.zbpp.jobs.JobApiServer;
import io.zbpp.jobs.JobStore;
import io.zbpp.jobs.Tokens;
import io.zbpp.protocol.jobs.Iteration;
import io.zbpp.protocol.jobs.JobEvent;
import io.zbpp.protocol.jobs.JobSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The job API's iteration events carry that iteration's post-validation rollbacks and skip (in-JVM runtime,
 * loopback TCP): a NaN injected on the last of three zb-2p stages makes the two earlier stages roll back their
 * eager step of that iteration — also when it is the last iteration, whose step is validated only when the
 * parameters are read.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JobRollbackEventsTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "NaN at iteration {0} of 3")
  @CsvSource({"1", "2"})
  void theEventOfThePoisonedIterationShowsItsRollbacks(int poisoned) throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), "alice:alice-token\n");
    JobSpec spec = JobSpecs.builder("zb-2p", 3, 3).iterations(3).model("tiny").seed(3).postValidation(true)
        .injectNan(poisoned, 2).build();
    try (JobStore store = JobStore.open(dir.resolve("data"));
        JobApiServer server = JobApiServer.start(0, Optional.empty(), store, new TrainJobRunner(3),
            Tokens.load(tokens));
        ZbppClient alice = ZbppClient.connect("127.0.0.1:" + server.port(),
            ZbppClient.options().token("alice-token"))) {
      String id = alice.submit(spec);
      List<Iteration> iterations = new ArrayList<>();
      try (ZbppClient.Events events = alice.watch(id)) {
        events.forEachRemaining(e -> {
          if (e.hasIteration()) {
            iterations.add(e.getIteration());
          }
        });
      }
      assertThat(iterations).extracting(Iteration::getIteration).containsExactly(0, 1, 2);
      for (Iteration it : iterations) {
        boolean hit = it.getIteration() == poisoned;
        assertThat(it.getRollbacks()).as("iteration %d", it.getIteration()).isEqualTo(hit ? 2 : 0);
        assertThat(it.getSkipped()).as("iteration %d", it.getIteration()).isEqualTo(hit);
      }
      assertThat(JsonParser.parseString(alice.result(id).getReportJson()).getAsJsonObject().get("rollbacks")
          .getAsInt()).as("the job's total").isEqualTo(2);
    }
  }
}
