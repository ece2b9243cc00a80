package io.zbpp.runtime;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.zbpp.checkpoint.CheckpointFault;
import io.zbpp.checkpoint.CheckpointPolicy;
import io.zbpp.checkpoint.CheckpointStore;
import io.zbpp.protocol.Wire;
import io.zbpp.protocol.checkpoint.Manifest;
import io.zbpp.protocol.checkpoint.ShardEntry;
import io.zbpp.protocol.msg.CheckpointProgress;
import io.zbpp.protocol.msg.CheckpointStats;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.ResolvedJob;
import io.zbpp.protocol.msg.ShardWritten;
import io.zbpp.protocol.msg.TakeCheckpoint;
import io.zbpp.protocol.serialization.ShardCodec;
import io.zbpp.schedule.PlanText;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The coordinator's side of one job's checkpoints (docs/faults.md "Checkpoints"): which are due, the shards the
 * stages reported, the manifest it writes last (off the actor's thread), and on resume the checkpoint to start
 * from, checked against the job. Single-threaded (the coordinator actor) except for the writes it hands off.
 */
final class JobCheckpoints {
  /** Manifests are small: one thread writes them for every coordinator of the JVM. */
  private static final Executor MANIFESTS = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "zbpp-manifests");
    t.setDaemon(true);
    return t;
  });

  /** A checkpoint all stages answered for: a manifest to commit, or the reason it does not exist. */
  record Settled(int iteration, Optional<Manifest> manifest, String failure) {}

  private final CheckpointPolicy policy;
  private final ResolvedJob spec;
  private final JobPlanner.Planned planned;
  private final int stages;
  private final Map<Integer, Map<Integer, ShardWritten>> reported = new HashMap<>();
  private final Map<Integer, Double> slowest = new HashMap<>();
  private final Map<Integer, Double> longestPause = new HashMap<>();
  private final Optional<Manifest> resumed;
  /** The checkpoints this job wrote (their iterations), for a recovery to start from the latest. */
  private final java.util.Set<Integer> committedHere = new java.util.TreeSet<>();
  private int pending;
  /** Checkpoints whose manifest is being written (committed, not answered yet). */
  private int committing;
  private int written;
  private int failed;
  private long bytes;
  private double seconds;
  private double pauses;

  private JobCheckpoints(CheckpointPolicy policy, ResolvedJob spec, JobPlanner.Planned planned, Optional<Manifest> from) {
    this.policy = policy;
    this.spec = spec;
    this.planned = planned;
    this.stages = spec.stages();
    this.resumed = from;
  }

  /**
   * The job's checkpoints; with {@code resumeFrom}, the latest valid checkpoint there, checked against the job
   * (a newer invalid one is skipped with a line to {@code warn}).
   *
   * @throws IllegalArgumentException one line naming {@code resumeFrom} when there is none or it does not match
   */
  static JobCheckpoints of(CheckpointPolicy policy, ResolvedJob spec, JobPlanner.Planned planned, Consumer<String> warn) {
    if (!policy.resumes()) {
      return new JobCheckpoints(policy, spec, planned, Optional.empty());
    }
    String where = "resumeFrom [" + policy.resumeFrom() + "]: ";
    CheckpointStore store = new io.zbpp.checkpoint.DirectoryCheckpointStore(java.nio.file.Path.of(policy.resumeFrom()),
        policy.keep());
    Manifest m;
    try {
      m = store.latest(line -> warn.accept(where + line)).orElseThrow(() -> new IllegalArgumentException(where
          + "no complete, valid checkpoint (expected ckpt-NNNNNN/MANIFEST.json and its shards)"));
    } catch (IOException e) {
      throw new IllegalArgumentException(where + "cannot read it: " + e.getMessage(), e);
    }
    JobCheckpoints c = new JobCheckpoints(policy, spec, planned, Optional.of(m));
    c.mismatch(m).ifPresent(why -> {
      throw new IllegalArgumentException(where + CheckpointStore.name(m.getIteration()) + " " + why);
    });
    return c;
  }

  /** What differs between checkpoint {@code m} and this job, if anything. */
  private Optional<String> mismatch(Manifest m) {
    if (m.getStages() != stages) {
      return Optional.of("has " + m.getStages() + " stages; the job has " + stages);
    }
    if (m.getMicrobatches() != spec.microbatches()) {
      return Optional.of("has " + m.getMicrobatches() + " microbatches; the job has " + spec.microbatches());
    }
    if (!m.getChunkStageList().equals(chunkStage())) {
      return Optional.of("places chunks on stages " + m.getChunkStageList() + "; the job's plan places them on "
          + chunkStage());
    }
    Wire.ModelSpec mine = comparable(ShardCodec.model(spec.modelSpec()));
    Wire.ModelSpec theirs = comparable(m.getModel());
    for (FieldDescriptor f : Wire.ModelSpec.getDescriptor().getFields()) {
      if (!mine.getField(f).equals(theirs.getField(f))) {
        return Optional.of("is of another model: " + f.getJsonName() + " " + oneLine(theirs.getField(f))
            + "; the job's " + oneLine(mine.getField(f)));
      }
    }
    if (m.getIteration() >= spec.iterations()) {
      return Optional.of("already covers " + m.getIteration() + " iterations; iterations is " + spec.iterations());
    }
    return Optional.empty();
  }

  /** The model fields a checkpoint must share with the job: not the backend, nor the emulated times. */
  private static Wire.ModelSpec comparable(Wire.ModelSpec m) {
    return m.toBuilder().clearBackend().clearEmulatedF().clearEmulatedB().clearEmulatedW().clearEmulatedSlowdowns()
        .build();
  }

  private static String oneLine(Object v) {
    return String.valueOf(v).replaceAll("\\s+", " ").trim();
  }

  private List<Integer> chunkStage() {
    return planned.compiled().programs().placement().chunkStage();
  }

  /** The policy a job's spec gives (fields 31–34); checkpoint faults come only through the other create. */
  static CheckpointPolicy policy(ResolvedJob job) {
    return CheckpointPolicy.of(job.spec(), List.of());
  }

  /**
   * {@code policy} with the checkpoint kinds among {@code inject} added to its faults.
   *
   * @throws IllegalArgumentException one line naming an injection whose checkpoint the job does not take
   */
  static CheckpointPolicy injected(CheckpointPolicy policy, List<io.zbpp.faults.Injection> inject, int iterations) {
    List<CheckpointFault> faults = new java.util.ArrayList<>(policy.faults());
    for (io.zbpp.faults.Injection i : inject) {
      if (!FaultPolicy.CHECKPOINT.contains(i.kind())) {
        continue;
      }
      if (!policy.due(i.iteration(), iterations)) {
        throw new IllegalArgumentException("inject [" + i + "]: " + (policy.enabled() ? "checkpoint " + i.iteration()
            + " is not taken; with checkpointEvery " + policy.every() + " and " + iterations + " iterations they are "
            + java.util.stream.IntStream.rangeClosed(1, iterations).filter(n -> policy.due(n, iterations))
                .mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(", "))
            : "the job takes no checkpoints; set checkpointEvery (--checkpoint-every)"));
      }
      faults.add(new CheckpointFault(CheckpointFault.Kind.of(i.kind().text()), i.stage(), i.iteration()));
    }
    return policy.withFaults(faults);
  }

  /** The iteration the job starts at: the resumed checkpoint's, or 0. */
  int first() {
    return resumed.map(Manifest::getIteration).orElse(0);
  }

  Optional<Manifest> resumed() {
    return resumed;
  }

  String resumeDir() {
    return policy.resumeFrom();
  }

  /** The checkpoint asked for with iteration {@code it}'s RunIteration, by stage, if one is due then. */
  Optional<List<TakeCheckpoint>> dueWith(io.zbpp.protocol.msg.JobEpoch job, int it) {
    int covers = it + 1;
    if (!policy.due(covers, spec.iterations())) {
      return Optional.empty();
    }
    pending++;
    List<TakeCheckpoint> out = new java.util.ArrayList<>();
    for (int s = 0; s < stages; s++) {
      out.add(new TakeCheckpoint(job, covers, policy.dir(), CheckpointFault.at(policy.faults(), s, covers)));
    }
    return Optional.of(out);
  }

  /** A stage's answer; the checkpoint once every stage answered. */
  Optional<Settled> shard(ShardWritten w) {
    Map<Integer, ShardWritten> in = reported.computeIfAbsent(w.iteration(), k -> new TreeMap<>());
    in.put(w.stage(), w);
    slowest.merge(w.iteration(), w.seconds(), Math::max);
    longestPause.merge(w.iteration(), w.pauseSeconds(), Math::max);
    if (in.size() < stages) {
      return Optional.empty();
    }
    reported.remove(w.iteration());
    Optional<ShardWritten> bad = in.values().stream().filter(s -> !s.ok()).findFirst();
    if (bad.isPresent()) {
      return Optional.of(new Settled(w.iteration(), Optional.empty(), "stage " + bad.get().stage() + ": "
          + bad.get().error()));
    }
    return Optional.of(new Settled(w.iteration(), Optional.of(manifest(w.iteration(), in.values())), ""));
  }

  private Manifest manifest(int iteration, java.util.Collection<ShardWritten> shards) {
    Manifest.Builder m = Manifest.newBuilder().setFormatVersion(ShardCodec.FORMAT_VERSION).setIteration(iteration)
        .setJobId(spec.jobId()).setJob(spec.spec()).setPlan(PlanText.formatNamed(planned.compiled().plan())).setStages(stages)
        .setMicrobatches(spec.microbatches()).addAllChunkStage(chunkStage())
        .setModel(ShardCodec.model(spec.modelSpec()))
        .setDataPosition((long) iteration * spec.microbatches() * spec.model().microbatchSize())
        .setCreated(Instant.now().toString()).setOptimizer(ShardCodec.optimizer(spec.optimizer()));
    shards.stream().sorted(Comparator.comparingInt(ShardWritten::stage)).forEach(s -> m.addShards(
        ShardEntry.newBuilder().setStage(s.stage()).setFile(s.file()).setSha256(s.sha256()).setBytes(s.bytes())
            .addAllChunks(s.chunks())));
    return m.build();
  }

  /**
   * Commits a settled checkpoint off the actor's thread: writes its manifest, or removes its shards when a stage
   * failed; completes with "" or why the checkpoint does not exist.
   */
  CompletableFuture<String> commit(Settled s) {
    CheckpointStore store = policy.store();
    committing++;
    return CompletableFuture.supplyAsync(() -> {
      try {
        if (s.manifest().isPresent()) {
          store.commit(s.manifest().get());
          return "";
        }
        store.discard(s.iteration());
        return s.failure();
      } catch (IOException e) {
        return s.failure().isEmpty() ? "writing the manifest failed: " + e.getMessage() : s.failure();
      } catch (RuntimeException e) {
        return "writing the manifest failed: " + e;
      }
    }, MANIFESTS);
  }

  /** Counts a checkpoint written or given up; answers how long its slowest shard took to write, in seconds. */
  double committed(Settled s, String failure) {
    pending--;
    committing--;
    double took = slowest.getOrDefault(s.iteration(), 0.0);
    if (failure.isEmpty()) {
      written++;
      committedHere.add(s.iteration());
      bytes += shardBytes(s);
      seconds += took;
    } else {
      failed++;
    }
    pauses += longestPause.getOrDefault(s.iteration(), 0.0);
    slowest.remove(s.iteration());
    longestPause.remove(s.iteration());
    return took;
  }

  /** What the job's progress listener hears of a checkpoint {@link #committed} without failure. */
  CheckpointProgress written(JobEpoch job, Settled s) {
    String name = CheckpointStore.name(s.iteration());
    return new CheckpointProgress(job, s.iteration(), name, Path.of(policy.dir()).resolve(name).toString(),
        shardBytes(s));
  }

  private static long shardBytes(Settled written) {
    return written.manifest().orElseThrow().getShardsList().stream().mapToLong(ShardEntry::getBytes).sum();
  }

  /**
   * The newest checkpoint this job wrote that is still there and verifies (every shard's size and SHA-256), for
   * a recovery to start from; a newer one that does not verify is skipped with a line to {@code warn}. Reads every
   * shard of the checkpoints it checks (on the caller's thread: a recovery is rare).
   */
  Optional<Manifest> latestWritten(Consumer<String> warn) {
    if (committedHere.isEmpty()) {
      return Optional.empty();
    }
    CheckpointStore store = policy.store();
    try {
      List<CheckpointStore.Entry> all = store.list();
      for (int i = all.size() - 1; i >= 0; i--) {
        CheckpointStore.Entry e = all.get(i);
        if (!e.complete() || !committedHere.contains(e.iteration())) {
          continue;
        }
        Optional<String> bad = store.verify(e.iteration());
        if (bad.isEmpty()) {
          return e.manifest();
        }
        warn.accept(e.name() + ": " + bad.get() + "; trying the one before");
      }
    } catch (IOException e) {
      warn.accept("cannot read the checkpoints in " + store.location() + ": " + e.getMessage());
    }
    return Optional.empty();
  }

  /** The directory this job's checkpoints go to. */
  String dir() {
    return policy.dir();
  }

  /**
   * The epoch was abandoned by a recovery: of the checkpoints it asked for only those whose manifest is being
   * written are still waited for ({@link #settled}); the others' stages are gone (late answers carry the old epoch
   * and are dropped). The replay asks again for those after its recovery point.
   */
  void abandoned() {
    pending = committing;
    reported.clear();
  }

  /** Whether every checkpoint asked for is written or given up. */
  boolean settled() {
    return pending == 0;
  }

  CheckpointStats stats() {
    return new CheckpointStats(written, failed, bytes, seconds, resumed.map(Manifest::getIteration).orElse(-1),
        pauses);
  }
}
