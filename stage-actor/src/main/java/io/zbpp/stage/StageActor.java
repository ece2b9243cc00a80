package io.zbpp.stage;

import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.gpu.pipeline.HostTensor;
import io.zbpp.protocol.msg.CommandRejected;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.FetchParameters;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.LoadProgram;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.OptimizerState;
import io.zbpp.protocol.msg.OptimizerStats;
import io.zbpp.protocol.msg.ParametersSent;
import io.zbpp.protocol.msg.ProgramLoaded;
import io.zbpp.protocol.msg.RunIteration;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StageFailed;
import io.zbpp.protocol.msg.StopStage;
import io.zbpp.protocol.msg.TensorAssembler;
import io.zbpp.protocol.msg.TensorFrame;
import io.zbpp.protocol.msg.TensorFrames;
import io.zbpp.protocol.msg.TensorKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One pipeline stage (docs/design.md "Data flow", step 4): runs its compiled program once per
 * {@link RunIteration}. Compute ops (F, B, W, BW, LOSS, STEP) run on the stage's own single-thread
 * executor, never on the dispatcher: the actor hands over every run of ops that can go without waiting as one
 * {@link Batch}; a SEND is a {@code tell} of {@link TensorFrame}s to the neighbour, made as soon as the tensor
 * exists; a RECV waits until its tensor is in the inbox. Frames that arrive before their RECV (even for a later
 * iteration) are buffered; commands of another job or an older epoch are rejected with
 * {@link CommandRejected}, never executed. Every compute pass is timed on the executor.
 *
 * <p>States: idle (no program) → loaded (runs iterations on request) → stopped. The interpreter state lives
 * in {@link StageRun}, the chunks in {@link ChunkSet}.
 */
public final class StageActor {
  /** Local-only: the chunks of a loaded program are built (on the executor). */
  record ChunksBuilt(JobEpoch job, LoadProgram load, ChunkSet chunks)
      implements StageCommand, NoSerializationVerificationNeeded {}

  /** Local-only: the batch of ops from {@code pc} of {@code iteration} ran on the executor. */
  record BatchDone(JobEpoch job, int iteration, int pc, List<StageRun.Step> steps, List<Computed> results)
      implements StageCommand, NoSerializationVerificationNeeded {}

  /** Local-only: an executor task threw. */
  record OpFailed(JobEpoch job, String message) implements StageCommand, NoSerializationVerificationNeeded {}

  /** Local-only: parameters copied on the executor, by chunk. */
  record ParametersRead(JobEpoch job, Map<Integer, List<float[]>> parameters, OptimizerStats optimizer)
      implements StageCommand, NoSerializationVerificationNeeded {}

  private final ActorContext<StageCommand> ctx;
  private final int stage;
  private final IntFunction<ChunkRunner> factory;
  private final ExecutorService executor;
  private final TensorAssembler assembler = new TensorAssembler();
  private JobEpoch job;
  private LoadProgram load;
  private ChunkSet chunks;
  private StageRun run;
  private StageOptimizer optimizer;
  private final java.util.ArrayDeque<Integer> queued = new java.util.ArrayDeque<>();
  private FetchParameters fetchWaiting;
  private boolean busy;

  private StageActor(ActorContext<StageCommand> ctx, int stage, IntFunction<ChunkRunner> factory) {
    this.ctx = ctx;
    this.stage = stage;
    this.factory = factory;
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "zbpp-stage-" + stage);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * A stage actor.
   *
   * @param stage its index p
   * @param chunks builds the {@link ChunkRunner} of a model chunk; called on the stage's executor
   */
  public static Behavior<StageCommand> create(int stage, IntFunction<ChunkRunner> chunks) {
    return Behaviors.withMdc(StageCommand.class,
        msg -> Map.of("stage", String.valueOf(stage), "job", String.valueOf(msg.job())),
        Behaviors.setup(ctx -> new StageActor(ctx, stage, chunks).behavior()));
  }

  private Behavior<StageCommand> behavior() {
    return Behaviors.receive(StageCommand.class)
        .onMessage(LoadProgram.class, this::onLoad)
        .onMessage(ChunksBuilt.class, this::onChunksBuilt)
        .onMessage(RunIteration.class, this::onRun)
        .onMessage(TensorFrame.class, this::onFrame)
        .onMessage(OptimizerState.class, this::onState)
        .onMessage(BatchDone.class, this::onBatchDone)
        .onMessage(OpFailed.class, this::onOpFailed)
        .onMessage(FetchParameters.class, this::onFetch)
        .onMessage(ParametersRead.class, this::onParametersRead)
        .onMessage(StopStage.class, this::onStop)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<StageCommand> onLoad(LoadProgram l) {
    if (job != null && job.isStale(l.job())) {
      return reject(l, l.coordinator(), "stale epoch " + l.job().epoch() + " < " + job.epoch());
    }
    ChunkSet current = chunks;
    List<Integer> wanted = l.program().chunks();
    ActorRef<StageCommand> self = ctx.getSelf();
    executor.execute(() -> {
      try {
        ChunkSet cs = current != null && current.chunks().equals(wanted) ? current : build(current, wanted);
        self.tell(new ChunksBuilt(l.job(), l, cs));
      } catch (RuntimeException | Error e) {
        l.coordinator().tell(new StageFailed(l.job(), stage, "building chunks " + wanted + " failed: " + e));
      }
    });
    return Behaviors.same();
  }

  private ChunkSet build(ChunkSet old, List<Integer> wanted) {
    if (old != null) {
      old.close();
    }
    return new ChunkSet(wanted, factory);
  }

  private Behavior<StageCommand> onChunksBuilt(ChunksBuilt b) {
    if (job != null && job.isStale(b.job())) {
      return Behaviors.same();
    }
    job = b.job();
    load = b.load();
    chunks = b.chunks();
    run = new StageRun(stage, load.program(), load.chunkStage(), load.optimizer());
    optimizer = new StageOptimizer(stage, load.chunkStage().size(), load.optimizer(), chunks);
    queued.clear();
    fetchWaiting = null;
    busy = false;
    ctx.getLog().info("stage {} loaded {} ops on chunks {}", stage, load.program().size(), chunks.chunks());
    load.coordinator().tell(new ProgramLoaded(job, stage));
    return Behaviors.same();
  }

  private Behavior<StageCommand> onRun(RunIteration r) {
    if (fenced(r)) {
      return Behaviors.same();
    }
    if (run.running() || busy) {
      if (!load.optimizer().checked()) {
        return reject(r, load.coordinator(), "iteration " + run.iteration() + " is still running");
      }
      queued.add(r.iteration()); // issued ahead: the stage runs into it on its own
      return Behaviors.same();
    }
    run.begin(r.iteration());
    drive();
    return Behaviors.same();
  }

  /**
   * A partial or full optimizer state: it waits for its RECV op (a late one — after the next iteration
   * started — is the normal case of post-validation; a duplicate is dropped by {@link StageRun#offerState}).
   */
  private Behavior<StageCommand> onState(OptimizerState s) {
    if (fenced(s)) {
      return Behaviors.same();
    }
    run.offerState(s);
    if (fetchWaiting != null) {
      return onFetch(fetchWaiting);
    }
    drive();
    return Behaviors.same();
  }

  private Behavior<StageCommand> onFrame(TensorFrame f) {
    if (fenced(f)) {
      return Behaviors.same();
    }
    assembler.add(f).ifPresent(t -> run.offer(t.key(), new HostTensor(t.shape(), t.data())));
    drive();
    return Behaviors.same();
  }

  /**
   * Hands the ops that can run now to the executor as one {@link Batch}; reports the iteration when the
   * program is done. Does nothing while a batch runs or while the next op waits for a tensor.
   */
  private void drive() {
    if (run.running() && !busy) {
      run.skipToValidationIfRejected();
      List<StageRun.Step> steps = run.takeRunnable();
      if (!steps.isEmpty()) {
        submit(steps);
      }
    }
    if (run.finished() && !busy) {
      load.coordinator().tell(run.report(job));
      if (!queued.isEmpty()) {
        run.begin(queued.poll());
        drive();
      }
    }
  }

  private void submit(List<StageRun.Step> steps) {
    busy = true;
    JobEpoch j = job;
    int it = run.iteration();
    int pc = run.pc();
    ChunkSet cs = chunks;
    ActorRef<StageCommand> self = ctx.getSelf();
    List<ActorRef<StageCommand>> stages = load.stages();
    int frameBytes = load.frameBytes();
    Batch.Sender sender = (to, key, t) -> TensorFrames.split(j, key, t.shape(), t.data(), frameBytes)
        .forEach(stages.get(to)::tell);
    Batch.StateSender states = (to, iter, full, n) -> stages.get(to).tell(new OptimizerState(j, iter, stage, full, n));
    Batch.Context cx = new Batch.Context(it, run.attempt(), stage, stages.size(), sender, states);
    StageOptimizer opt = optimizer;
    executor.execute(() -> {
      try {
        self.tell(new BatchDone(j, it, pc, steps, Batch.run(steps, cs, opt, cx)));
      } catch (RuntimeException | Error e) {
        self.tell(new OpFailed(j, "iteration " + it + " from op " + steps.get(0).in() + " threw " + e));
      }
    });
  }

  private Behavior<StageCommand> onBatchDone(BatchDone d) {
    if (!d.job().equals(job) || d.iteration() != run.iteration() || d.pc() != run.pc() || !busy) {
      return Behaviors.same(); // the result of a superseded epoch
    }
    busy = false;
    if (ctx.getLog().isDebugEnabled()) {
      for (int i = 0; i < d.steps().size(); i++) {
        Computed c = d.results().get(i);
        ctx.getLog().debug("iteration {} op {}{}", d.iteration(), d.steps().get(i).in(),
            c == null ? "" : " " + (c.endNanos() - c.startNanos()) / 1000 + " us");
      }
    }
    run.apply(d.steps(), d.results());
    drive();
    return Behaviors.same();
  }

  private Behavior<StageCommand> onOpFailed(OpFailed f) {
    if (f.job().equals(job)) {
      busy = false;
      run = new StageRun(stage, load.program(), load.chunkStage(), load.optimizer());
      ctx.getLog().error("stage {}: {}", stage, f.message());
      load.coordinator().tell(new StageFailed(job, stage, f.message()));
    }
    return Behaviors.same();
  }

  private Behavior<StageCommand> onFetch(FetchParameters f) {
    if (fenced(f)) {
      return Behaviors.same();
    }
    if (run.running() || busy) {
      return reject(f, load.coordinator(), "iteration " + run.iteration() + " is still running");
    }
    OptimizerState last = null;
    if (needsFinalValidation()) { // the last iteration's eager steps: validate them before reading
      last = run.takeFullState(run.iteration());
      if (last == null) {
        fetchWaiting = f;
        return Behaviors.same();
      }
    }
    fetchWaiting = null;
    JobEpoch j = job;
    ChunkSet cs = chunks;
    StageOptimizer opt = optimizer;
    OptimizerState full = last;
    ActorRef<StageCommand> self = ctx.getSelf();
    executor.execute(() -> {
      try {
        if (full != null) {
          opt.receive(full.iteration(), true, full.normSquared());
          opt.validateAll(full.iteration());
        }
        self.tell(new ParametersRead(j, cs.parameters(), opt.stats()));
      } catch (RuntimeException | Error e) {
        self.tell(new OpFailed(j, "final validation threw " + e));
      }
    });
    return Behaviors.same();
  }

  /** Post-validation leaves the last iteration's eager steps of every stage but the last unvalidated. */
  private boolean needsFinalValidation() {
    return load.optimizer().check() == OptimizerOptions.Check.POST_VALIDATION
        && stage < load.stages().size() - 1 && run.iteration() >= 0;
  }

  private Behavior<StageCommand> onParametersRead(ParametersRead r) {
    if (!r.job().equals(job)) {
      return Behaviors.same();
    }
    int frames = 0;
    for (var e : r.parameters().entrySet()) {
      for (int i = 0; i < e.getValue().size(); i++) {
        float[] p = e.getValue().get(i);
        for (TensorFrame f : TensorFrames.split(job, TensorKey.parameter(e.getKey(), i), new int[] {p.length}, p,
            load.frameBytes())) {
          load.coordinator().tell(f);
          frames++;
        }
      }
    }
    load.coordinator().tell(new ParametersSent(job, stage, frames, r.optimizer()));
    return Behaviors.same();
  }

  private Behavior<StageCommand> onStop(StopStage s) {
    if (fenced(s)) {
      return Behaviors.same();
    }
    ctx.getLog().info("stage {} stops", stage);
    return Behaviors.stopped();
  }

  private Behavior<StageCommand> onPostStop() {
    ChunkSet cs = chunks;
    if (cs != null) {
      executor.execute(cs::close);
    }
    executor.shutdown();
    return Behaviors.same();
  }

  /** Whether a command must not run: no program, another job or another epoch (then it is rejected). */
  private boolean fenced(StageCommand c) {
    if (job == null) {
      ctx.getLog().warn("stage {} has no program; dropped {}", stage, c.getClass().getSimpleName());
      return true;
    }
    if (!c.job().equals(job)) {
      String why = job.isStale(c.job()) ? "stale epoch " + c.job() + ", loaded " + job
          : "epoch " + c.job() + " is not loaded; loaded " + job;
      reject(c, load.coordinator(), why);
      return true;
    }
    return false;
  }

  private Behavior<StageCommand> reject(StageCommand c, ActorRef<CoordinatorCommand> to, String why) {
    ctx.getLog().warn("stage {} rejects {}: {}", stage, c.getClass().getSimpleName(), why);
    to.tell(new CommandRejected(c.job(), stage, c.getClass().getSimpleName() + ": " + why));
    return Behaviors.same();
  }
}
