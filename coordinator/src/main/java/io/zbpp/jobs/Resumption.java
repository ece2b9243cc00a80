package io.zbpp.jobs;

import io.zbpp.checkpoint.CheckpointStore;
import io.zbpp.checkpoint.DirectoryCheckpointStore;
import io.zbpp.faults.Injection;
import io.zbpp.protocol.checkpoint.Manifest;
import io.zbpp.protocol.jobs.JobSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * How a job that was running when its coordinator stopped goes on (docs/faults.md "Coordinator failover"): from
 * the latest complete, valid checkpoint in the directory it checkpoints to ({@code checkpointDir}, else the one it
 * resumed from), or from the start when there is none. Training is deterministic, so either way the job ends with
 * the parameters of a run that never stopped; a checkpoint only saves the iterations before it.
 *
 * @param spec the spec to run: the recorded one, with {@code resumeFrom} set when a checkpoint is resumed
 * @param fromIteration the first iteration the run computes
 * @param why one line for the job's records and the log
 */
record Resumption(JobSpec spec, int fromIteration, String why) {
  /**
   * How the job with spec {@code recorded} and {@code done} iterations recorded goes on. An injected
   * kill-coordinator that has struck is dropped, or it would strike again in the replay: the coordinator issues an
   * iteration at most two ahead of the last one recorded, so one for an iteration up to {@code done + 2} has.
   */
  static Resumption of(JobSpec recorded, int done, Consumer<String> warn) {
    List<String> inject = recorded.getInjectList().stream().filter(i -> !struck(i, done)).toList();
    if (inject.size() < recorded.getInjectCount()) {
      recorded = recorded.toBuilder().clearInject().addAllInject(inject).build();
    }
    String dir = !recorded.getCheckpointDir().isEmpty() ? recorded.getCheckpointDir() : recorded.getResumeFrom();
    if (dir.isEmpty()) {
      return fromStart(recorded, "it takes no checkpoints");
    }
    if (!Files.isDirectory(Path.of(dir))) {
      return fromStart(recorded, "no checkpoint in " + dir + " yet");
    }
    Optional<Manifest> latest;
    try {
      latest = new DirectoryCheckpointStore(Path.of(dir), DirectoryCheckpointStore.DEFAULT_KEEP)
          .latest(line -> warn.accept(dir + ": " + line));
    } catch (IOException | RuntimeException e) {
      return fromStart(recorded, "its checkpoints in " + dir + " cannot be read (" + e.getMessage() + ")");
    }
    if (latest.isEmpty()) {
      return fromStart(recorded, "no complete checkpoint in " + dir + " yet");
    }
    int at = latest.get().getIteration();
    if (at >= recorded.getIterations()) {
      // its last checkpoint covers every iteration, but its result was not recorded: train it again
      return fromStart(recorded, CheckpointStore.name(at) + " in " + dir + " covers every iteration, but no "
          + "result was recorded");
    }
    return new Resumption(recorded.toBuilder().setResumeFrom(dir).build(), at,
        "resumes from " + CheckpointStore.name(at) + " in " + dir);
  }

  private static boolean struck(String injection, int done) {
    try {
      Injection i = Injection.parse(injection);
      return i.kind() == Injection.Kind.KILL_COORDINATOR && i.iteration() <= done + 2;
    } catch (IllegalArgumentException e) {
      return false; // the job's checks refuse it
    }
  }

  private static Resumption fromStart(JobSpec recorded, String because) {
    return new Resumption(recorded, 0, "runs again from the start: " + because);
  }
}
