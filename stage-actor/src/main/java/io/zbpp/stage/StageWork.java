package io.zbpp.stage;

import io.zbpp.checkpoint.CheckpointShards;
import io.zbpp.protocol.checkpoint.ShardEntry;
import io.zbpp.protocol.msg.ChunkState;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.RestoreCheckpoint;
import io.zbpp.protocol.msg.ShardWritten;
import io.zbpp.protocol.msg.StageRestored;
import io.zbpp.protocol.msg.TakeCheckpoint;
import java.io.IOException;
import io.zbpp.protocol.msg.LoadProgram;
import io.zbpp.protocol.msg.OptimizerState;
import io.zbpp.protocol.msg.RestoreStage;
import io.zbpp.protocol.msg.SnapshotStage;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StageFailed;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stage's own single-thread executor and every task the stage actor hands it: building chunks, running a
 * {@link Batch}, reading the shard digest, taking and restoring a snapshot. Each task ends by telling the actor
 * a local-only message with its result (or {@link StageActor.OpFailed}); nothing here touches the actor's
 * state. One thread, so a ChunkRunner is driven from one thread at a time and tasks run in the order given.
 */
final class StageWork {
  private static final Logger LOG = LoggerFactory.getLogger(StageWork.class);

  private final ExecutorService executor;
  private final ActorRef<StageCommand> self;
  private final String threadName;
  /** Writes checkpoint shards in the background, so that the stage's executor goes on (made when first needed). */
  private ExecutorService writer;

  StageWork(String threadName, ActorRef<StageCommand> self) {
    this.self = self;
    this.threadName = threadName;
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Builds the chunks of {@code l} (closing {@code old} first), or keeps {@code reusable}; a failure goes to the
   * coordinator directly, since no program is loaded to mark.
   */
  void build(LoadProgram l, ChunkSet reusable, ChunkSet old, ChunkBuilder builder) {
    executor.execute(() -> {
      try {
        ChunkSet cs = reusable;
        if (cs == null) {
          if (old != null) {
            old.close();
          }
          cs = new ChunkSet(l.program().chunks(), c -> builder.build(l, c));
        }
        self.tell(new StageActor.ChunksBuilt(l.job(), l, cs));
      } catch (RuntimeException | Error e) {
        LOG.error("stage {}: building chunks {} failed", l.program().stage(), l.program().chunks(), e);
        l.coordinator().tell(new StageFailed(l.job(), l.program().stage(), "building chunks "
            + l.program().chunks() + " failed: " + e, ""));
      }
    });
  }

  /** Runs the ops from program index {@code pc}; a failing op is reported with its program index. */
  void batch(JobEpoch job, int pc, List<StageRun.Step> steps, ChunkSet cs, StageOptimizer opt, Batch.Context cx) {
    int it = cx.iteration();
    executor.execute(() -> {
      try {
        self.tell(new StageActor.BatchDone(job, it, pc, steps, Batch.run(steps, cs, opt, cx)));
      } catch (Batch.StepFailed e) {
        self.tell(new StageActor.OpFailed(job, pc + e.index(), "iteration " + it + " op "
            + steps.get(e.index()).in() + " threw " + e.getCause()));
      } catch (RuntimeException | Error e) {
        self.tell(new StageActor.OpFailed(job, pc, "iteration " + it + " from op " + steps.get(0).in()
            + " threw " + e));
      }
    });
  }

  /** Validates the last eager step with {@code full} when given, then reads the shard digest and the stats. */
  void digest(JobEpoch job, ChunkSet cs, StageOptimizer opt, OptimizerState full) {
    executor.execute(() -> {
      try {
        if (full != null) {
          opt.receive(full.iteration(), true, full.normSquared());
          opt.validateAll(full.iteration());
        }
        self.tell(new StageActor.DigestRead(job, cs.digests(), opt.stats()));
      } catch (RuntimeException | Error e) {
        self.tell(new StageActor.OpFailed(job, -1, "final validation threw " + e));
      }
    });
  }

  void snapshot(SnapshotStage s, ChunkSet cs) {
    executor.execute(() -> {
      try {
        self.tell(new StageActor.SnapshotTaken(s.job(), s.replyTo(), cs.snapshot()));
      } catch (RuntimeException | Error e) {
        self.tell(new StageActor.OpFailed(s.job(), -1, "snapshot threw " + e));
      }
    });
  }

  void restore(RestoreStage r, ChunkSet cs) {
    executor.execute(() -> {
      try {
        cs.restore(r.chunks());
        self.tell(new StageActor.RestoreDone(r.job(), r.replyTo(), -1));
      } catch (RuntimeException | Error e) {
        self.tell(new StageActor.OpFailed(r.job(), -1, "restore threw " + e));
      }
    });
  }

  /**
   * Copies the chunks' state now (between two ops: the executor runs tasks in order), then writes it as this
   * stage's shard of checkpoint {@code t.iteration()} on the writer thread and tells {@code coordinator}.
   */
  void checkpoint(TakeCheckpoint t, int stage, ChunkSet cs, ActorRef<CoordinatorCommand> coordinator) {
    ExecutorService w = writer();
    executor.execute(() -> {
      long start = System.nanoTime();
      List<ChunkState> state;
      try {
        state = cs.snapshot();
      } catch (RuntimeException e) {
        coordinator.tell(shardFailed(t, stage, start, "copying the state failed: " + e));
        return;
      }
      double pause = (System.nanoTime() - start) / 1e9;
      w.execute(() -> {
        try {
          ShardEntry e = CheckpointShards.write(t.dir(), stage, t.iteration(), state, t.inject());
          coordinator.tell(new ShardWritten(t.job(), stage, t.iteration(), e.getFile(), e.getSha256(), e.getBytes(),
              e.getChunksList(), (System.nanoTime() - start) / 1e9, pause, ""));
        } catch (IOException | RuntimeException e) {
          LOG.warn("stage {}: checkpoint {} not written: {}", stage, t.iteration(), e.toString());
          coordinator.tell(shardFailed(t, stage, start, e.getMessage() == null ? e.toString() : e.getMessage()));
        }
      });
    });
  }

  private static ShardWritten shardFailed(TakeCheckpoint t, int stage, long start, String why) {
    return new ShardWritten(t.job(), stage, t.iteration(), "", "", 0, List.of(), (System.nanoTime() - start) / 1e9,
        0, why);
  }

  private synchronized ExecutorService writer() {
    if (writer == null) {
      writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, threadName + "-checkpoint");
        t.setDaemon(true);
        return t;
      });
    }
    return writer;
  }

  /** Restores the chunks from this stage's shard of a checkpoint (size and SHA-256 checked) for a resumed job. */
  void restore(RestoreCheckpoint r, int stage, ChunkSet cs, ActorRef<StageRestored> replyTo) {
    executor.execute(() -> {
      try {
        ShardEntry entry = ShardEntry.newBuilder().setStage(stage).setFile(r.file()).setSha256(r.sha256())
            .setBytes(r.bytes()).build();
        cs.restore(CheckpointShards.read(r.dir(), r.iteration(), entry, stage, cs.chunks()));
        self.tell(new StageActor.RestoreDone(r.job(), replyTo, r.iteration()));
      } catch (IOException | RuntimeException e) {
        self.tell(new StageActor.OpFailed(r.job(), -1, "resuming from checkpoint " + e.getMessage()));
      }
    });
  }

  /**
   * Where the stage's data plane connects to its neighbours: this executor, so that connecting (which waits for
   * the peer to accept) comes before the first batch and blocks no dispatcher thread.
   */
  java.util.concurrent.Executor connector() {
    return executor;
  }

  /** Closes {@code chunks} (when given) after the tasks before, then lets the thread end. */
  void shutdown(ChunkSet chunks) {
    if (chunks != null) {
      executor.execute(chunks::close);
    }
    executor.shutdown();
    synchronized (this) {
      if (writer != null) {
        writer.shutdown(); // shards being written are finished
      }
    }
  }
}
