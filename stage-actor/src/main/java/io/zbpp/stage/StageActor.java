package io.zbpp.stage;

import io.zbpp.faults.Injection;
import io.zbpp.gpu.pipeline.HostTensor;
import io.zbpp.logging.LogContext;
import io.zbpp.metrics.NodeMetrics;
import io.zbpp.metrics.StageMetrics;
import io.zbpp.protocol.msg.ChunkState;
import io.zbpp.protocol.msg.CommandRejected;
import io.zbpp.protocol.msg.DataPeers;
import io.zbpp.protocol.msg.FetchParameters;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.LoadProgram;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.OptimizerState;
import io.zbpp.protocol.msg.OptimizerStats;
import io.zbpp.protocol.msg.ProgramLoaded;
import io.zbpp.protocol.msg.ProbeStage;
import io.zbpp.protocol.msg.ProgramSwapped;
import io.zbpp.protocol.msg.RestoreCheckpoint;
import io.zbpp.protocol.msg.RestoreStage;
import io.zbpp.protocol.msg.StageBlocked;
import io.zbpp.protocol.msg.SwapProgram;
import io.zbpp.protocol.msg.TakeCheckpoint;
import io.zbpp.protocol.msg.RunIteration;
import io.zbpp.protocol.msg.ShardDigest;
import io.zbpp.protocol.msg.SnapshotStage;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StageFailed;
import io.zbpp.protocol.msg.StageRestored;
import io.zbpp.protocol.msg.StageSnapshot;
import io.zbpp.protocol.msg.StopStage;
import io.zbpp.protocol.msg.TensorFrame;
import io.zbpp.protocol.msg.TensorFrames;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One pipeline stage (docs/design.md "Data flow", step 4). It starts empty: a {@link LoadProgram} tells it its
 * stage index, its program, the model (it builds its chunks with its {@link ChunkBuilder}) and its peers, so a
 * stage actor in a fresh actor system runs from protocol messages alone. Compute ops run on the stage's own
 * single-thread executor, never on the dispatcher: the actor hands over every run of ops that can go without
 * waiting as one {@link Batch}; a SEND is a {@code tell} of {@link TensorFrame}s to the neighbour — or, for a
 * stage created with a {@link DataPlaneFactory}, a send on the data link to it ({@link StageLinks}) — made as
 * soon as the tensor exists; a RECV waits until its tensor is in the inbox. Frames that arrive before their RECV
 * (even for a later iteration) are buffered; commands of another job or an older epoch are rejected with
 * {@link CommandRejected}, never executed.
 *
 * <p>States, one behavior method each:
 * <ul>
 *   <li>{@link #idle()}: no program; a LoadProgram builds the chunks and moves to loaded.</li>
 *   <li>{@link #loaded}: a program and its chunks; runs an iteration on {@link RunIteration}, answers
 *       {@link FetchParameters} (its {@link ShardDigest}), {@link SnapshotStage} and {@link RestoreStage}.</li>
 *   <li>{@link #running}: an iteration in progress, waiting for tensors; back to loaded when it is reported.</li>
 *   <li>{@link #computing}: a batch of the iteration runs on the executor.</li>
 *   <li>{@link #paused}: an op threw; the failure and the program with the failing op marked went to the
 *       coordinator; runs nothing until a new LoadProgram.</li>
 * </ul>
 * In every state with a program, a LoadProgram of a newer epoch replaces it and StopStage stops the actor. The
 * interpreter state lives in {@link StageRun}, the chunks in {@link ChunkSet}.
 */
public final class StageActor {
  /** Local-only: the chunks of a loaded program are built (on the executor). */
  record ChunksBuilt(JobEpoch job, LoadProgram load, ChunkSet chunks)
      implements StageCommand, NoSerializationVerificationNeeded {}

  /** Local-only: the batch of ops from {@code pc} of {@code iteration} ran on the executor. */
  record BatchDone(JobEpoch job, int iteration, int pc, List<StageRun.Step> steps, List<Computed> results)
      implements StageCommand, NoSerializationVerificationNeeded {}

  /** Local-only: an executor task threw; {@code at} is the program index of the failing op, or −1. */
  record OpFailed(JobEpoch job, int at, String message) implements StageCommand, NoSerializationVerificationNeeded {}

  /** Local-only: the shard digest and the optimizer statistics, read on the executor. */
  record DigestRead(JobEpoch job, Map<Integer, String> digests, OptimizerStats optimizer)
      implements StageCommand, NoSerializationVerificationNeeded {}

  /** Local-only: a snapshot taken on the executor. */
  record SnapshotTaken(JobEpoch job, ActorRef<StageSnapshot> replyTo, List<ChunkState> chunks)
      implements StageCommand, NoSerializationVerificationNeeded {}

  /** Local-only: a snapshot restored on the executor; a checkpoint's continues at {@code resumeAt} (else −1). */
  record RestoreDone(JobEpoch job, ActorRef<StageRestored> replyTo, int resumeAt)
      implements StageCommand, NoSerializationVerificationNeeded {}

  private final ActorContext<StageCommand> ctx;
  private final ChunkBuilder builder;
  private final StageWork work;
  private final StageMetrics metrics;
  /** The tensor data plane, or null: tensors then travel as TensorFrame messages. */
  private final StageLinks links;

  private StageActor(ActorContext<StageCommand> ctx, ChunkBuilder builder, DataPlaneFactory planes) {
    this.ctx = ctx;
    this.builder = builder;
    this.work = new StageWork("zbpp-" + ctx.getSelf().path().name(), ctx.getSelf());
    this.metrics = NodeMetrics.get(ctx.getSystem()).stages();
    this.links = planes == null ? null : new StageLinks(planes,
        ActorRefResolver.get(ctx.getSystem()).toSerializationFormat(ctx.getSelf()), ctx.getSelf());
  }

  /** A stage actor that builds the chunks of the model its program names ({@link ModelChunks}). */
  public static Behavior<StageCommand> create() {
    return create(new ModelChunks());
  }

  /** A stage actor whose chunks come from {@code chunks} (called on the stage's executor). */
  public static Behavior<StageCommand> create(ChunkBuilder chunks) {
    return create(chunks, Optional.empty());
  }

  /**
   * A stage actor that moves activations and gradients over a data plane from {@code planes} when given (it
   * opens one plane when it starts and closes it when it stops), else as {@link TensorFrame} messages.
   */
  public static Behavior<StageCommand> create(ChunkBuilder chunks, Optional<DataPlaneFactory> planes) {
    return Behaviors.withMdc(StageCommand.class, LogContext::of,
        Behaviors.setup(ctx -> new StageActor(ctx, chunks, planes.orElse(null)).idle()));
  }

  // ---------------------------------------------------------------- states

  private Behavior<StageCommand> idle() {
    return Behaviors.receive(StageCommand.class)
        .onMessage(LoadProgram.class, l -> load(l, null))
        .onMessage(ChunksBuilt.class, b -> onChunksBuilt(b, null))
        .onMessage(StopStage.class, s -> stop(null))
        .onAnyMessage(m -> {
          ctx.getLog().warn("stage has no program; dropped {}", m.getClass().getSimpleName());
          return Behaviors.same();
        })
        .onSignal(PostStop.class, s -> onPostStop(null))
        .build();
  }

  private Behavior<StageCommand> loaded(StageJob j) {
    return withProgram(j)
        .onMessage(RunIteration.class, r -> fenced(j, r) ? Behaviors.same() : begin(j, r.iteration()))
        .onMessage(TensorFrame.class, f -> offer(j, f, false))
        .onMessage(StageLinks.TensorReceived.class, t -> received(j, t, false))
        .onMessage(OptimizerState.class, s -> offer(j, s, false))
        .onMessage(FetchParameters.class, f -> fenced(j, f) ? Behaviors.same() : fetch(j))
        .onMessage(DigestRead.class, d -> onDigestRead(j, d))
        .onMessage(SnapshotStage.class, s -> fenced(j, s) ? Behaviors.same() : snapshot(j, s))
        .onMessage(SnapshotTaken.class, s -> onSnapshotTaken(j, s))
        .onMessage(RestoreStage.class, r -> fenced(j, r) ? Behaviors.same() : restore(j, r))
        .onMessage(RestoreCheckpoint.class, r -> fenced(j, r) ? Behaviors.same() : restore(j, r))
        .onMessage(RestoreDone.class, r -> onRestoreDone(j, r))
        .onMessage(SwapProgram.class, s -> fenced(j, s) ? Behaviors.same() : swap(j, s))
        .onMessage(OpFailed.class, f -> onOpFailed(j, f))
        .onAnyMessage(m -> Behaviors.same()) // a superseded epoch's local results
        .build();
  }

  private Behavior<StageCommand> running(StageJob j) {
    return withProgram(j)
        .onMessage(TensorFrame.class, f -> offer(j, f, true))
        .onMessage(StageLinks.TensorReceived.class, t -> received(j, t, true))
        .onMessage(OptimizerState.class, s -> offer(j, s, true))
        .onMessage(RunIteration.class, r -> queue(j, r))
        .onMessage(FetchParameters.class, f -> busy(j, f))
        .onMessage(SnapshotStage.class, s -> busy(j, s))
        .onMessage(RestoreStage.class, r -> busy(j, r))
        .onMessage(RestoreCheckpoint.class, r -> busy(j, r))
        .onMessage(SwapProgram.class, s -> busy(j, s))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<StageCommand> computing(StageJob j) {
    return withProgram(j)
        .onMessage(TensorFrame.class, f -> offer(j, f, false))
        .onMessage(StageLinks.TensorReceived.class, t -> received(j, t, false))
        .onMessage(OptimizerState.class, s -> offer(j, s, false))
        .onMessage(RunIteration.class, r -> queue(j, r))
        .onMessage(BatchDone.class, d -> onBatchDone(j, d))
        .onMessage(OpFailed.class, f -> onOpFailed(j, f))
        .onMessage(FetchParameters.class, f -> busy(j, f))
        .onMessage(SnapshotStage.class, s -> busy(j, s))
        .onMessage(RestoreStage.class, r -> busy(j, r))
        .onMessage(RestoreCheckpoint.class, r -> busy(j, r))
        .onMessage(SwapProgram.class, s -> busy(j, s))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  /** The last iteration's full optimizer state must arrive before the parameters can be read. */
  private Behavior<StageCommand> awaitingFinalState(StageJob j) {
    return withProgram(j)
        .onMessage(OptimizerState.class, s -> {
          if (fenced(j, s)) {
            return Behaviors.same();
          }
          j.run.offerState(s);
          return fetch(j);
        })
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<StageCommand> paused(StageJob j) {
    return withProgram(j)
        .onMessage(OpFailed.class, f -> Behaviors.same())
        .onAnyMessage(m -> {
          if (m.job().equals(j.job) && !(m instanceof BatchDone)) {
            reject(j, m, CommandRejected.PAUSED);
          }
          return Behaviors.same();
        })
        .build();
  }

  /** What every state with a program handles: a new program, its chunks, stop. */
  private BehaviorBuilder<StageCommand> withProgram(StageJob j) {
    return Behaviors.receive(StageCommand.class)
        .onMessage(LoadProgram.class, l -> load(l, j))
        .onMessage(ChunksBuilt.class, b -> onChunksBuilt(b, j))
        .onMessage(StopStage.class, s -> fenced(j, s) ? Behaviors.same() : stop(j))
        .onMessage(DataPeers.class, d -> fenced(j, d) ? Behaviors.same() : link(j, d))
        .onMessage(TakeCheckpoint.class, t -> fenced(j, t) ? Behaviors.same() : pendCheckpoint(j, t))
        .onMessage(StageLinks.LinkLost.class, l -> onLinkLost(j, l))
        .onMessage(ProbeStage.class, p -> fenced(j, p) ? Behaviors.same() : probe(j))
        .onSignal(Terminated.class, t -> onCoordinatorGone(j, t))
        .onSignal(PostStop.class, s -> onPostStop(j));
  }

  // ---------------------------------------------------------------- loading

  private Behavior<StageCommand> load(LoadProgram l, StageJob current) {
    if (current != null && current.job.isStale(l.job())) {
      return reject(current, l, "stale epoch " + l.job().epoch() + " < " + current.job.epoch());
    }
    ChunkSet reusable = current != null && current.load.model().equals(l.model())
        && current.load.microbatches() == l.microbatches() && current.load.chunkStage().equals(l.chunkStage())
        && current.chunks.chunks().equals(l.program().chunks()) ? current.chunks : null;
    work.build(l, reusable, current == null ? null : current.chunks, builder);
    return Behaviors.same();
  }

  private Behavior<StageCommand> onChunksBuilt(ChunksBuilt b, StageJob current) {
    if (current != null && current.job.isStale(b.job())) {
      return Behaviors.same();
    }
    StageJob j = new StageJob(b.load(), b.chunks());
    Optional<String> frames = refusedFrameFaults(j);
    if (frames.isPresent()) {
      return reject(j, b.load(), frames.get());
    }
    if (current != null && !current.load.coordinator().equals(j.load.coordinator())) {
      ctx.unwatch(current.load.coordinator());
    }
    ctx.watch(j.load.coordinator());
    ctx.getLog().info("stage {} loaded {} ops on chunks {}", j.stage, j.load.program().size(), j.chunks.chunks());
    j.load.coordinator().tell(new ProgramLoaded(j.job, j.stage,
        links == null ? Optional.empty() : Optional.of(links.endpoint())));
    return j.loaded;
  }

  /**
   * The job's coordinator is gone (its node died or left, docs/faults.md "Coordinator failover"): nobody will stop
   * this stage, so it stops itself and frees its device for the coordinator that resumes the job.
   */
  private Behavior<StageCommand> onCoordinatorGone(StageJob j, Terminated t) {
    if (!t.getRef().equals(j.load.coordinator())) {
      return Behaviors.same();
    }
    ctx.getLog().warn("stage {}: the coordinator of job {} is gone; stopping", j.stage, j.job);
    return stop(j);
  }

  // ---------------------------------------------------------------- data plane

  /**
   * The job's frame injections for this stage travel in its LoadProgram and are injected by its data plane: a
   * stage without one (tensors as actor messages), or whose plane cannot inject them, says why in one line.
   */
  private Optional<String> refusedFrameFaults(StageJob j) {
    List<io.zbpp.dataplane.FrameFault> mine = FrameInjections.of(j.load.inject()).stream()
        .filter(f -> f.stage() == j.stage).toList();
    if (mine.isEmpty()) {
      return Optional.empty();
    }
    if (links == null) {
      return Optional.of("inject [" + mine.get(0) + "]: stage " + j.stage + " sends its tensors as actor messages;"
          + " frame faults are injected by a data plane (netty; memory for duplicate, delay and reorder)");
    }
    return links.refuses(j.stage, FrameInjections.of(j.load.inject())).map(why -> "inject [" + mine.get(0) + "]: "
        + why);
  }

  private Behavior<StageCommand> link(StageJob j, DataPeers d) {
    if (links == null) {
      return reject(j, d, "this stage has no data plane");
    }
    if (d.stages().size() != j.load.stages().size()) {
      return reject(j, d, d.stages().size() + " endpoints for " + j.load.stages().size() + " stages");
    }
    links.link(d, j.stage, j.load.chunkStage(), work.connector(), FrameInjections.of(j.load.inject()));
    return Behaviors.same();
  }

  /** A tensor from the data plane: the current epoch's waits for its RECV; another epoch's is dropped. */
  private Behavior<StageCommand> received(StageJob j, StageLinks.TensorReceived t, boolean drive) {
    if (!t.job().equals(j.job)) {
      ctx.getLog().debug("stage {} drops tensor {} of {}", j.stage, t.key(), t.job());
      return Behaviors.same();
    }
    metrics.received(j.stage, (long) Float.BYTES * t.tensor().data().length);
    j.run.offer(t.key(), t.tensor());
    return drive ? drive(j) : Behaviors.same();
  }

  /**
   * A data link went down (or could not be made) while the job needs it: the iteration cannot go on, so the
   * stage reports it, naming the peer, and pauses. After the parameters were fetched the job is over and the
   * peers stopping is expected.
   */
  private Behavior<StageCommand> onLinkLost(StageJob j, StageLinks.LinkLost l) {
    if (l.job() == null || !l.job().equals(j.job) || j.finished || j.linkFailed) {
      ctx.getLog().info("stage {}: data link to {} closed: {}", j.stage, l.peer(), l.message());
      return Behaviors.same();
    }
    j.linkFailed = true;
    int peer = links.stageOf(l.peer());
    String why = "data link to stage " + (peer < 0 ? "? (" + l.peer() + ")" : peer) + " lost: " + l.message();
    ctx.getLog().error("stage {}: {}", j.stage, why);
    j.load.coordinator().tell(new StageFailed(j.job, j.stage, why, ""));
    return paused(j);
  }

  // ---------------------------------------------------------------- iterations

  private Behavior<StageCommand> begin(StageJob j, int iteration) {
    j.run.begin(iteration);
    return drive(j);
  }

  /** Issued ahead (post-validation): the stage runs into it on its own; without a check, a protocol error. */
  private Behavior<StageCommand> queue(StageJob j, RunIteration r) {
    if (fenced(j, r)) {
      return Behaviors.same();
    }
    if (!j.load.optimizer().checked()) {
      return reject(j, r, "iteration " + j.run.iteration() + " is still running");
    }
    j.queued.add(r.iteration());
    return Behaviors.same();
  }

  /**
   * A tensor frame or an optimizer state: buffered until its RECV (a late full state — after the next iteration
   * started — is the normal case of post-validation; a duplicate is dropped by {@link StageRun#offerState}).
   */
  private Behavior<StageCommand> offer(StageJob j, StageCommand m, boolean drive) {
    if (fenced(j, m)) {
      return Behaviors.same();
    }
    if (m instanceof TensorFrame f) {
      j.assembler.add(f).ifPresent(t -> {
        metrics.received(j.stage, (long) Float.BYTES * t.data().length);
        j.run.offer(t.key(), new HostTensor(t.shape(), t.data()));
      });
    } else if (m instanceof OptimizerState s) {
      j.run.offerState(s);
    }
    return drive ? drive(j) : Behaviors.same();
  }

  /**
   * Hands the ops that can run now to the executor as one {@link Batch} (→ computing); reports the iteration
   * when the program is done and starts a queued one (→ loaded when none); otherwise waits (→ running).
   */
  private Behavior<StageCommand> drive(StageJob j) {
    StageRun run = j.run;
    if (run.running()) {
      run.skipToValidationIfRejected();
      Optional<Injection> kill = j.faults.killAt(run.iteration(), run.pc());
      if (kill.isPresent()) {
        return kill(j, kill.get());
      }
      if (eagerSteps(j) && run.pastValidation()) {
        checkpointNow(j, run.iteration()); // the previous step is settled; this iteration's is not taken yet
      }
      List<StageRun.Step> steps = run.takeRunnable(j.faults.limit(run.iteration(), run.pc(), run.program().size()));
      if (!steps.isEmpty()) {
        submit(j, steps);
        return j.computing;
      }
    }
    if (run.finished()) {
      if (!eagerSteps(j)) {
        checkpointNow(j, run.iteration() + 1); // the step is final: before a queued iteration's first op
      }
      IterationReport report = run.report(j.job, j.optimizer);
      metrics.iteration(report);
      j.load.coordinator().tell(report);
      if (!j.queued.isEmpty()) {
        return begin(j, j.queued.poll());
      }
      return j.loaded;
    }
    return j.running;
  }

  private void submit(StageJob j, List<StageRun.Step> steps) {
    JobEpoch job = j.job;
    int stage = j.stage;
    List<ActorRef<StageCommand>> stages = j.load.stages();
    int frameBytes = j.load.frameBytes();
    Batch.Sender transport = links != null && links.linked(job) ? links.sender(job)
        : (to, key, t) -> TensorFrames.split(job, key, t.shape(), t.data(), frameBytes).forEach(stages.get(to)::tell);
    StageMetrics m = metrics;
    Batch.Sender sender = (to, key, t) -> {
      m.sent(stage, (long) Float.BYTES * t.data().length);
      transport.send(to, key, t);
    };
    Batch.StateSender states = (to, iter, full, n) -> stages.get(to).tell(new OptimizerState(job, iter, stage, full, n));
    j.computingSince = j.run.pc();
    work.batch(job, j.run.pc(), steps, j.chunks, j.optimizer, new Batch.Context(j.run.iteration(), j.run.attempt(),
        stage, stages.size(), sender, states, j.run.pc(), j.faults, j.runningOp));
  }

  /**
   * An injected kill strikes (docs/faults.md): kill-stage stops this actor; kill-worker takes its whole worker
   * down — the JVM halts when {@code zbpp.faults.kill-worker = halt-jvm} (a worker process), else the actor system
   * terminates (a worker node in a test JVM).
   */
  private Behavior<StageCommand> kill(StageJob j, Injection i) {
    boolean halt = i.kind() == Injection.Kind.KILL_WORKER
        && "halt-jvm".equals(ctx.getSystem().settings().config().getString("zbpp.faults.kill-worker"));
    StageFaults.logStrike(j.stage, i, i.kind() == Injection.Kind.KILL_STAGE ? "the stage actor stops"
        : halt ? "the worker JVM halts" : "the worker's actor system terminates");
    if (halt) {
      Runtime.getRuntime().halt(137);
    } else if (i.kind() == Injection.Kind.KILL_WORKER) {
      ctx.getSystem().terminate();
    }
    return Behaviors.stopped();
  }

  /** The watchdog asks where this stage stands: the op it runs or waits for, marked in its program. */
  private Behavior<StageCommand> probe(StageJob j) {
    boolean between = !j.run.running();
    boolean computing = j.computingSince >= 0;
    int at = computing ? Math.max(j.computingSince, j.runningOp.get()) : j.run.pc();
    String listing = between ? "" : j.run.program().listing(at, computing ? "running" : "waiting for its input");
    j.load.coordinator().tell(new StageBlocked(j.job, j.stage, between ? -1 : j.run.iteration(), listing,
        computing));
    return Behaviors.same();
  }

  private Behavior<StageCommand> onBatchDone(StageJob j, BatchDone d) {
    if (!d.job().equals(j.job) || d.iteration() != j.run.iteration() || d.pc() != j.run.pc()) {
      return Behaviors.same(); // the result of a superseded epoch
    }
    if (ctx.getLog().isDebugEnabled()) {
      for (int i = 0; i < d.steps().size(); i++) {
        Computed c = d.results().get(i);
        ctx.getLog().debug("stage {} iteration {} op {}{}", j.stage, d.iteration(), d.steps().get(i).in(),
            c == null ? "" : " " + (c.endNanos() - c.startNanos()) / 1000 + " us");
      }
    }
    j.computingSince = -1;
    j.run.apply(d.steps(), d.results());
    return drive(j);
  }

  /** Logs and reports the failure with the whole program, the failing op marked; runs nothing more. */
  private Behavior<StageCommand> onOpFailed(StageJob j, OpFailed f) {
    if (!f.job().equals(j.job)) {
      return Behaviors.same();
    }
    j.computingSince = -1;
    String listing = f.at() < 0 ? "" : j.run.program().listing(f.at());
    ctx.getLog().error("stage {}: {}\n{}", j.stage, f.message(), listing);
    j.load.coordinator().tell(new StageFailed(j.job, j.stage, f.message(), listing));
    return paused(j);
  }

  /**
   * Re-planning: the next iterations run another program on the same chunks; parameters, optimizer state, the
   * inbox and the data links stay.
   */
  private Behavior<StageCommand> swap(StageJob j, SwapProgram s) {
    if (s.program().stage() != j.stage || !s.program().chunks().equals(j.chunks.chunks())) {
      return reject(j, s, "program of stage " + s.program().stage() + " on chunks " + s.program().chunks()
          + "; loaded stage " + j.stage + " on chunks " + j.chunks.chunks());
    }
    j.run.swap(s.program());
    ctx.getLog().info("stage {} swapped to a program of {} ops", j.stage, s.program().size());
    j.load.coordinator().tell(new ProgramSwapped(j.job, j.stage));
    return Behaviors.same();
  }

  // ---------------------------------------------------------------- parameters, snapshots

  /** Answers FetchParameters with the shard digest, after validating the last eager step if one is left. */
  private Behavior<StageCommand> fetch(StageJob j) {
    j.finished = true;
    OptimizerState last = null;
    if (needsFinalValidation(j)) {
      last = j.run.takeFullState(j.run.iteration());
      if (last == null) {
        return awaitingFinalState(j);
      }
    }
    work.digest(j.job, j.chunks, j.optimizer, last);
    checkpointNow(j, j.run.iteration() + 1); // after the final validation
    return j.loaded;
  }

  /** Post-validation leaves the last iteration's eager steps of every stage but the last unvalidated. */
  private static boolean needsFinalValidation(StageJob j) {
    return eagerSteps(j) && j.run.iteration() >= 0;
  }

  /** Whether this stage steps eagerly (post-validation, every stage but the last): a step is final only later. */
  private static boolean eagerSteps(StageJob j) {
    return j.load.optimizer().check() == OptimizerOptions.Check.POST_VALIDATION
        && j.stage < j.load.stages().size() - 1;
  }

  // ---------------------------------------------------------------- checkpoints

  /**
   * Keeps a checkpoint request until the step it waits for is final: the end of the iteration before it, or —
   * stepping eagerly — the validation ops of its own iteration (or the final validation).
   */
  private Behavior<StageCommand> pendCheckpoint(StageJob j, TakeCheckpoint t) {
    j.checkpoints.put(t.iteration(), t);
    return Behaviors.same();
  }

  /** Takes checkpoint {@code iteration} if it was asked for: copied on the executor now, written in the background. */
  private void checkpointNow(StageJob j, int iteration) {
    TakeCheckpoint t = j.checkpoints.remove(iteration);
    if (t != null) {
      work.checkpoint(t, j.stage, j.chunks, j.load.coordinator());
    }
  }

  private Behavior<StageCommand> onDigestRead(StageJob j, DigestRead d) {
    if (d.job().equals(j.job)) {
      j.load.coordinator().tell(new ShardDigest(j.job, j.stage, d.digests(), d.optimizer()));
    }
    return Behaviors.same();
  }

  private Behavior<StageCommand> snapshot(StageJob j, SnapshotStage s) {
    work.snapshot(s, j.chunks);
    return Behaviors.same();
  }

  private Behavior<StageCommand> onSnapshotTaken(StageJob j, SnapshotTaken s) {
    if (s.job().equals(j.job)) {
      s.replyTo().tell(new StageSnapshot(j.job, j.stage, s.chunks()));
    }
    return Behaviors.same();
  }

  private Behavior<StageCommand> restore(StageJob j, RestoreStage r) {
    work.restore(r, j.chunks);
    return Behaviors.same();
  }

  private Behavior<StageCommand> restore(StageJob j, RestoreCheckpoint r) {
    work.restore(r, j.stage, j.chunks, j.load.coordinator().narrow());
    return Behaviors.same();
  }

  private Behavior<StageCommand> onRestoreDone(StageJob j, RestoreDone r) {
    if (r.job().equals(j.job)) {
      if (r.resumeAt() >= 0) {
        j.run.resumeAt(r.resumeAt());
      }
      r.replyTo().tell(new StageRestored(j.job, j.stage));
    }
    return Behaviors.same();
  }

  // ---------------------------------------------------------------- fencing, stop

  private Behavior<StageCommand> busy(StageJob j, StageCommand c) {
    return fenced(j, c) ? Behaviors.same() : reject(j, c, "iteration " + j.run.iteration() + " is still running");
  }

  /** Whether a command belongs to another job or epoch (then it is rejected and must not run). */
  private boolean fenced(StageJob j, StageCommand c) {
    if (c.job().equals(j.job)) {
      return false;
    }
    String why = j.job.isStale(c.job()) ? "stale epoch " + c.job() + ", loaded " + j.job
        : "epoch " + c.job() + " is not loaded; loaded " + j.job;
    reject(j, c, why);
    return true;
  }

  private Behavior<StageCommand> reject(StageJob j, StageCommand c, String why) {
    ctx.getLog().warn("stage {} rejects {}: {}", j.stage, c.getClass().getSimpleName(), why);
    j.load.coordinator().tell(new CommandRejected(c.job(), j.stage, c.getClass().getSimpleName() + ": " + why));
    return Behaviors.same();
  }

  private Behavior<StageCommand> stop(StageJob j) {
    ctx.getLog().info("stage {} stops", j == null ? "(no program)" : j.stage);
    return Behaviors.stopped();
  }

  private Behavior<StageCommand> onPostStop(StageJob j) {
    if (links != null) {
      links.close();
    }
    if (j != null) {
      j.faults.cancel();
    }
    work.shutdown(j == null ? null : j.chunks);
    return Behaviors.same();
  }

  /** A loaded program: its chunks, its interpreter state, and this stage's behaviors for it. */
  private final class StageJob {
    final JobEpoch job;
    final LoadProgram load;
    final int stage;
    final ChunkSet chunks;
    final StageRun run;
    final StageOptimizer optimizer;
    final java.util.ArrayDeque<Integer> queued = new java.util.ArrayDeque<>();
    /** Checkpoints asked for and not taken yet, by the iterations they cover. */
    final Map<Integer, TakeCheckpoint> checkpoints = new java.util.TreeMap<>();
    /** The parameters were fetched: the job is over, links may go. */
    boolean finished;
    /** A lost data link was reported (once). */
    boolean linkFailed;
    /** The program index of the batch on the executor, or −1. */
    int computingSince = -1;
    /** The program index of the op the executor runs (set by the batch). */
    final java.util.concurrent.atomic.AtomicInteger runningOp = new java.util.concurrent.atomic.AtomicInteger(-1);
    final StageFaults faults;
    final io.zbpp.protocol.msg.TensorAssembler assembler = new io.zbpp.protocol.msg.TensorAssembler();
    final Behavior<StageCommand> loaded;
    final Behavior<StageCommand> running;
    final Behavior<StageCommand> computing;

    StageJob(LoadProgram load, ChunkSet chunks) {
      this.job = load.job();
      this.load = load;
      this.stage = load.program().stage();
      this.chunks = chunks;
      this.run = new StageRun(stage, load.program(), load.chunkStage(), load.optimizer());
      this.optimizer = new StageOptimizer(stage, load.chunkStage().size(), load.optimizer(), chunks);
      this.faults = new StageFaults(stage, load.inject());
      this.loaded = StageActor.this.loaded(this);
      this.running = StageActor.this.running(this);
      this.computing = StageActor.this.computing(this);
    }
  }
}
