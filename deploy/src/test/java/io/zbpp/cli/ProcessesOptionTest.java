package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** zbpp train --processes: the same result as one JVM, and no child JVM outlives the command, even when killed. */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class ProcessesOptionTest {
  private static final String[] JOB = {"train", "--schedule", "zb-2p", "--stages", "2", "--microbatches", "4",
      "--model", "tiny", "--iterations", "2", "--json"};

  /** This JVM starts no process of its own but the launcher's children. */
  private static List<ProcessHandle> children() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
  }

  @Test
  void trainsLikeOneJvmAndLeavesNoChild() {
    Cli local = Cli.run(JOB);
    List<String> args = new ArrayList<>(List.of(JOB));
    args.add("--processes");
    Cli processes = Cli.run(args.toArray(String[]::new));
    assertThat(processes.exit()).as(processes.err()).isZero();
    assertThat(processes.json().get("paramsSha256")).isEqualTo(local.json().get("paramsSha256"));
    assertThat(processes.json().get("losses")).isEqualTo(local.json().get("losses"));
    assertThat(children()).isEmpty();
  }

  /**
   * A worker JVM halts in the middle of iteration 1 (an injected kill-worker: no shutdown hook runs, as with kill -9);
   * the launcher started a spare worker for it, the coordinator places the job again and replays it, and the result
   * is bit for bit the one-JVM run's.
   */
  @Test
  void aWorkerJvmThatDiesMidIterationIsReplacedByTheSpareBitForBit() {
    Cli local = Cli.run(JOB);
    List<String> args = new ArrayList<>(List.of(JOB));
    args.addAll(List.of("--processes", "--inject", "kill-worker:1@1.2"));
    Cli processes = Cli.run(args.toArray(String[]::new));
    assertThat(processes.exit()).as(processes.err()).isZero();
    assertThat(processes.json().get("paramsSha256")).isEqualTo(local.json().get("paramsSha256"));
    assertThat(processes.json().get("losses")).isEqualTo(local.json().get("losses"));
    assertThat(processes.json().get("faultsDetected").getAsInt()).isEqualTo(1);
    assertThat(children()).isEmpty();
  }

  @Test
  void aWorkerThatCannotStartIsOneLineAndExitOneAndLeavesNoChild() {
    org.junit.jupiter.api.Assumptions.assumeFalse(io.zbpp.gpu.cuda.CudaProbe.available(),
        "this machine has a CUDA device, so a cuda worker would start");
    Cli r = Cli.run("train", "--schedule", "1f1b", "--stages", "2", "--microbatches", "2", "--model", "tiny",
        "--backend", "cuda", "--iterations", "1", "--processes", "--json");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).startsWith("zbpp train: worker-").contains("exited before it was up")
        .contains("--backend cuda cannot start");
    assertThat(children()).isEmpty();
  }

  /** SIGTERM runs the launcher's shutdown hook; SIGKILL runs nothing, and the children notice it is gone. */
  @ParameterizedTest(name = "forcibly={0}")
  @ValueSource(booleans = {false, true})
  void killingTheLauncherStopsEveryChild(boolean forcibly) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.zbpp.cli.Main", "train", "--schedule", "1f1b",
        "--stages", "2", "--microbatches", "2", "--model", "tiny", "--iterations", "100000", "--processes"));
    Process launcher = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<ProcessHandle> children = List.of();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("iteration 1/")) {
        // the header comes first; the first iteration means every child is up
      }
      assertThat(line).as("the launcher's first iteration line").isNotNull();
      children = launcher.descendants().toList();
      assertThat(children).as("a coordinator and two workers").hasSize(3).allMatch(ProcessHandle::isAlive);
      if (forcibly) {
        launcher.destroyForcibly();
      } else {
        launcher.destroy();
      }
      assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).isTrue();
      for (ProcessHandle h : children) {
        h.onExit().get(30, TimeUnit.SECONDS);
      }
      assertThat(children).noneMatch(ProcessHandle::isAlive);
    } finally {
      children.forEach(ProcessHandle::destroyForcibly);
      launcher.descendants().forEach(ProcessHandle::destroyForcibly);
      launcher.destroyForcibly();
    }
  }
}
