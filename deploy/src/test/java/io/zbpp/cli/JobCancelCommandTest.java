package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.client.JobSpecs;
import io.zbpp.client.ZbppClient;
import io.zbpp.jobs.JobApiServer;
import io.zbpp.jobs.JobStore;
import io.zbpp.jobs.Tokens;
import io.zbpp.protocol.jobs.JobState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code zbpp cancel} against a job API on loopback TCP (in-JVM runtime, two devices): a queued and a running job
 * are cancelled (exit 0), a job that already ended is one line on stderr and exit 1; the commands about one job
 * explain their ID in {@code --help}.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JobCancelCommandTest {
  @TempDir Path dir;

  @Test
  void cancelsQueuedAndRunningJobsAndRefusesOneThatEnded() throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), "alice:alice-token\n");
    try (JobStore store = JobStore.open(dir.resolve("data"));
        JobApiServer server = JobApiServer.start(0, Optional.empty(), store, new TrainJobRunner(2),
            Tokens.load(tokens));
        ZbppClient alice = ZbppClient.connect("127.0.0.1:" + server.port(),
            ZbppClient.options().token("alice-token"))) {
      String done = alice.submit(JobSpecs.builder("1f1b", 2, 2).iterations(1).model("tiny").build());
      alice.watch(done).forEachRemaining(e -> { });
      assertThat(alice.get(done).getState()).isEqualTo(JobState.SUCCEEDED);
      String running = alice.submit(JobSpecs.builder("1f1b", 2, 2).iterations(100_000).model("tiny").build());
      String queued = alice.submit(JobSpecs.builder("1f1b", 2, 2).iterations(1).model("tiny").build());
      assertThat(alice.get(running).getState()).isEqualTo(JobState.RUNNING);
      assertThat(alice.get(queued).getState()).isEqualTo(JobState.QUEUED);
      String[] conn = {"--server", "127.0.0.1:" + server.port(), "--token-file", tokens.toString()};

      Cli ended = Cli.run(args("cancel", done, conn));
      assertThat(ended.exit()).isEqualTo(1);
      assertThat(ended.out()).isEmpty();
      assertThat(ended.err().lines().toList()).containsExactly("zbpp cancel: FAILED_PRECONDITION: job " + done
          + " already ended in state succeeded; nothing to cancel");
      assertThat(alice.get(done).getState()).isEqualTo(JobState.SUCCEEDED);

      Cli cancelQueued = Cli.run(args("cancel", queued, conn));
      assertThat(cancelQueued.exit()).as(cancelQueued.err()).isZero();
      assertThat(cancelQueued.out().strip()).isEqualTo(queued + " cancelled");
      Cli cancelRunning = Cli.run(args("cancel", running, conn));
      assertThat(cancelRunning.exit()).as(cancelRunning.err()).isZero();
      assertThat(cancelRunning.out().strip()).isEqualTo(running + " cancelled");

      Cli again = Cli.run(args("cancel", running, conn));
      assertThat(again.exit()).isEqualTo(1);
      assertThat(again.err().strip()).isEqualTo("zbpp cancel: FAILED_PRECONDITION: job " + running
          + " already ended in state cancelled; nothing to cancel");
      Cli missing = Cli.run(args("cancel", "job-999999", conn));
      assertThat(missing.exit()).isEqualTo(1);
      assertThat(missing.err()).startsWith("zbpp cancel: NOT_FOUND: no job with id [job-999999]");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"status", "watch", "cancel", "result"})
  void theJobIdIsExplainedInHelp(String command) {
    Cli help = Cli.run(command, "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).containsPattern("\\n\\s+ID\\s+The job's id \\(zbpp submit prints it");
  }

  private static String[] args(String command, String id, String[] conn) {
    String[] out = new String[2 + conn.length];
    out[0] = command;
    out[1] = id;
    System.arraycopy(conn, 0, out, 2, conn.length);
    return out;
  }
}
