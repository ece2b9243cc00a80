package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees in a terminal, Logback's and Pekko's own lines included (a child JVM with the real logging). */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class UserOutputTest {
  @Test
  void versionPrintsOnlyTheVersionNoLoggingStatus() {
    ChildCli r = ChildCli.run(Duration.ofSeconds(60), "--version");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("zbpp ").doesNotContain("logback", "|-");
    assertThat(r.out().lines()).hasSize(2);
    assertThat(r.err()).isEmpty();
  }

  @Test
  void anUnreachableSeedIsOneCleanLine() throws Exception {
    int nobody;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      nobody = s.getLocalPort();
    }
    ChildCli r = ChildCli.run(Duration.ofSeconds(90), "worker", "--seed-nodes", "127.0.0.1:" + nobody,
        "--join-timeout", "3");
    assertThat(r.err()).isEqualTo("zbpp worker: could not join the cluster at [pekko://zbpp@127.0.0.1:" + nobody
        + "] within 3 s" + System.lineSeparator());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
  }

  /**
   * SIGTERM: the worker leaves the cluster and exits (143, 128 + SIGTERM, as any JVM stopped by it), logging what
   * it did at INFO and nothing worse.
   */
  @Test
  void aWorkerStoppedBySigtermLeavesWithoutWarnings(@TempDir Path dir) throws Exception {
    ChildCli.Started coordinator = ChildCli.start("coordinator", "--port", "0", "--data-dir", dir.toString());
    ChildCli.Started worker = null;
    try {
      String seed = awaitLine(coordinator, "zbpp coordinator up at ").replaceFirst(".*--seed-nodes (\\S+);.*", "$1");
      worker = ChildCli.start("worker", "--seed-nodes", seed);
      awaitLine(worker, "zbpp worker up at ");
      worker.process().destroy();
      ChildCli w = ChildCli.await(worker, Duration.ofSeconds(60));
      assertThat(w.exit()).as(w.err()).isEqualTo(143);
      assertThat(w.err()).contains("member leaving").doesNotContain(" WARN ", " ERROR ", "\tat ");
    } finally {
      coordinator.process().destroyForcibly();
      if (worker != null) {
        worker.process().destroyForcibly();
      }
    }
  }

  private static String awaitLine(ChildCli.Started s, String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      var line = s.outSoFar().lines().filter(l -> l.startsWith(prefix)).findFirst();
      if (line.isPresent()) {
        return line.get();
      }
      assertThat(s.process().isAlive()).as("still starting").isTrue();
      Thread.sleep(200);
    }
    throw new AssertionError("no line starting with " + prefix + " within 90 s");
  }
}
