package io.zbpp.checkpoint;

import java.util.List;

/**
 * A checkpoint fault to inject (docs/faults.md): {@code fail-checkpoint-write:STAGE@N} — stage STAGE's write of
 * checkpoint N (the one covering N iterations) fails, so that checkpoint does not exist and the job goes on;
 * {@code corrupt-checkpoint:STAGE@N} — once checkpoint N is written, one byte of STAGE's shard is flipped on disk,
 * so a resume finds it corrupt and falls back to the checkpoint before.
 */
public record CheckpointFault(Kind kind, int stage, int iteration) {
  public enum Kind {
    FAIL_WRITE("fail-checkpoint-write"),
    CORRUPT("corrupt-checkpoint");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    /** The kind as the injection grammar writes it. */
    public String label() {
      return label;
    }

    /** @throws IllegalArgumentException for a kind that is not a checkpoint fault */
    public static Kind of(String label) {
      for (Kind k : values()) {
        if (k.label.equals(label)) {
          return k;
        }
      }
      throw new IllegalArgumentException("[" + label + "]: not a checkpoint fault; expected fail-checkpoint-write"
          + " or corrupt-checkpoint");
    }
  }

  public CheckpointFault {
    if (stage < 0 || iteration < 0) {
      throw new IllegalArgumentException(kind.label + ":" + stage + "@" + iteration
          + ": stage and iteration must be at least 0");
    }
  }

  /** The fault {@code faults} hold for {@code stage}'s shard of checkpoint {@code iteration}: a label, or "". */
  public static String at(List<CheckpointFault> faults, int stage, int iteration) {
    return faults.stream().filter(f -> f.stage == stage && f.iteration == iteration).map(f -> f.kind.label)
        .findFirst().orElse("");
  }

  @Override
  public String toString() {
    return kind.label + ":" + stage + "@" + iteration;
  }
}
