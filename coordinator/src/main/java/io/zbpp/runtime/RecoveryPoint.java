package io.zbpp.runtime;

import io.zbpp.protocol.msg.ChunkState;
import io.zbpp.protocol.checkpoint.Manifest;
import io.zbpp.protocol.msg.IterationResult;
import java.util.List;
import java.util.Map;

/**
 * Where a recovery restarts a job from (docs/faults.md "Recovery"): every stage is loaded afresh, so its
 * parameters are the initial ones (deterministic from the model's seed), and then, for a point after the start,
 * restored from shards: in-memory snapshots ({@link Shards}, {@code RestoreStage}) or a durable checkpoint the job
 * wrote ({@link Checkpoint}, {@code RestoreCheckpoint}: each stage reads its own shard); iterations run again
 * from {@link #iteration()}.
 */
public sealed interface RecoveryPoint {
  /** The first iteration to run. */
  int iteration();

  /**
   * The results of the iterations before {@link #iteration()} that the job ran (kept in the job's report): all
   * of them, or for a job resumed from a checkpoint those after the checkpoint.
   */
  List<IterationResult> results();

  /** The job's start: the stages' freshly built parameters. */
  static RecoveryPoint initial() {
    return Initial.INSTANCE;
  }

  /** The start of training. */
  enum Initial implements RecoveryPoint {
    INSTANCE;

    @Override
    public int iteration() {
      return 0;
    }

    @Override
    public List<IterationResult> results() {
      return List.of();
    }
  }

  /**
   * The state at the boundary before {@code iteration}: per stage index the chunks' states (parameters, AdamW
   * moments, step count) to restore.
   */
  record Shards(int iteration, List<IterationResult> results, Map<Integer, List<ChunkState>> stages)
      implements RecoveryPoint {
    public Shards {
      results = List.copyOf(results);
      stages = Map.copyOf(stages);
      if (results.size() > iteration) {
        throw new IllegalArgumentException("a point before iteration " + iteration + " with " + results.size()
            + " results");
      }
    }
  }

  /**
   * A checkpoint the job wrote and that verifies, covering {@code iteration} iterations: every stage reads its
   * shard of {@code manifest} from {@code dir} (the stages share the directory, as for a resume).
   */
  record Checkpoint(int iteration, List<IterationResult> results, Manifest manifest, String dir)
      implements RecoveryPoint {
    public Checkpoint {
      results = List.copyOf(results);
      if (results.size() > iteration || manifest.getIteration() != iteration) {
        throw new IllegalArgumentException("checkpoint " + manifest.getIteration() + " as a point before iteration "
            + iteration + " with " + results.size() + " results");
      }
    }
  }
}
