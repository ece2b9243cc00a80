package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.runtime.JobPlanner;
import org.junit.jupiter.api.Test;

/**
 * {@code zbpp train} plans a job exactly once, in the coordinator: the CLI's checks before it and the stages'
 * chunks (emulated times by placement) after it use what the coordinator chose, never a second plan; the CLI
 * prints the placement the coordinator reported.
 */
class TrainPlansOnceTest {
  @Test
  void anEmulatedTrainJobIsPlannedExactlyOnce() {
    long before = JobPlanner.plansMade();

    Cli c = Cli.run("train", "--schedule", "zb-v", "--backend", "emulated", "--model", "tiny", "--stages", "2",
        "--microbatches", "4", "--chunks", "2", "--iterations", "2", "--cost-f", "0.1", "--cost-b", "0.1",
        "--cost-w", "0.1", "--json");

    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(JobPlanner.plansMade() - before).isEqualTo(1);
  }

  @Test
  void aCpuTrainJobIsPlannedExactlyOnce() {
    long before = JobPlanner.plansMade();

    Cli c = Cli.run("train", "--schedule", "zb-h1", "--model", "tiny", "--stages", "2", "--microbatches", "2",
        "--iterations", "1", "--json");

    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(JobPlanner.plansMade() - before).isEqualTo(1);
  }

  @Test
  void printsWhereTheCoordinatorPlacedEachStage() {
    Cli c = Cli.run("train", "--schedule", "1f1b", "--model", "tiny", "--stages", "2", "--microbatches", "2",
        "--iterations", "1");

    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(c.out().lines().toList()).contains("stages: local/stage-0, local/stage-1");
  }
}
