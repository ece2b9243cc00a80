package io.zbpp.checkpoint;

import java.util.List;

/**
 * What a job does about checkpoints (docs/faults.md "Checkpoints"): take one every {@code every} iterations and
 * after the last (0: none) into {@code dir}, keeping the newest {@code keep}; start from the latest valid one in
 * {@code resumeFrom} (empty: from the initial parameters); inject {@code faults}.
 */
public record CheckpointPolicy(int every, int keep, String dir, String resumeFrom, List<CheckpointFault> faults) {
  /** No checkpoints, no resume. */
  public static final CheckpointPolicy OFF = new CheckpointPolicy(0, DirectoryCheckpointStore.DEFAULT_KEEP, "", "",
      List.of());

  public CheckpointPolicy {
    faults = List.copyOf(faults);
    if (every < 0) {
      throw new IllegalArgumentException("checkpointEvery [" + every + "]: must be at least 0 (0: no checkpoints)");
    }
    if (keep < 1) {
      throw new IllegalArgumentException("checkpointKeep [" + keep + "]: must be at least 1");
    }
    if (every > 0 && dir.isEmpty()) {
      throw new IllegalArgumentException("checkpointDir []: checkpointEvery " + every + " needs a directory");
    }
  }

  /**
   * The policy a job spec's fields give (fields 31–34 of {@code zbpp.jobs.JobSpec}): checkpoints every
   * {@code checkpointEvery} iterations (absent or 0: none) into {@code checkpointDir} — with {@code resumeFrom}
   * and no directory, into the directory resumed from —, the newest {@code checkpointKeep} kept (0: 3).
   *
   * @throws IllegalArgumentException naming the field, e.g. {@code checkpointEvery [-1]: must be at least 0}
   */
  public static CheckpointPolicy of(io.zbpp.protocol.jobs.JobSpec spec, List<CheckpointFault> faults) {
    int every = spec.hasCheckpointEvery() ? spec.getCheckpointEvery() : 0;
    int keep = spec.getCheckpointKeep();
    if (keep < 0) {
      throw new IllegalArgumentException("checkpointKeep [" + keep + "]: must be at least 1 (0: "
          + DirectoryCheckpointStore.DEFAULT_KEEP + ")");
    }
    String dir = spec.getCheckpointDir().isEmpty() ? spec.getResumeFrom() : spec.getCheckpointDir();
    return new CheckpointPolicy(every, keep == 0 ? DirectoryCheckpointStore.DEFAULT_KEEP : keep, dir,
        spec.getResumeFrom(), faults);
  }

  public boolean enabled() {
    return every > 0;
  }

  public boolean resumes() {
    return !resumeFrom.isEmpty();
  }

  /** Whether a checkpoint is taken once {@code done} of {@code total} iterations are done. */
  public boolean due(int done, int total) {
    return enabled() && done > 0 && (done % every == 0 || done == total);
  }

  public CheckpointStore store() {
    return new DirectoryCheckpointStore(java.nio.file.Path.of(dir), keep);
  }

  public CheckpointPolicy withFaults(List<CheckpointFault> f) {
    return new CheckpointPolicy(every, keep, dir, resumeFrom, f);
  }
}
