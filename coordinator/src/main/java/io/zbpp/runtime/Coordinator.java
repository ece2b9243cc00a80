package io.zbpp.runtime;

import io.zbpp.checkpoint.CheckpointPolicy;
import io.zbpp.checkpoint.CheckpointStore;
import io.zbpp.compile.Programs;
import io.zbpp.faults.Injection;
import io.zbpp.logging.LogContext;
import io.zbpp.metrics.CoordinatorMetrics;
import io.zbpp.metrics.NodeMetrics;
import io.zbpp.protocol.msg.CheckpointProgress;
import io.zbpp.protocol.msg.JobRecovered;
import io.zbpp.protocol.msg.CommandRejected;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.DataPeers;
import io.zbpp.protocol.msg.FetchParameters;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.JobFailed;
import io.zbpp.protocol.msg.JobFinished;
import io.zbpp.protocol.msg.JobProgress;
import io.zbpp.protocol.msg.JobRejected;
import io.zbpp.protocol.msg.JobStarted;
import io.zbpp.protocol.msg.ResolvedJob;
import io.zbpp.protocol.msg.RestoreCheckpoint;
import io.zbpp.protocol.msg.ShardWritten;
import io.zbpp.protocol.msg.StageRestored;
import io.zbpp.protocol.checkpoint.Manifest;
import io.zbpp.protocol.checkpoint.ShardEntry;
import io.zbpp.protocol.msg.LoadProgram;
import io.zbpp.protocol.msg.ProbeStage;
import io.zbpp.protocol.msg.ProgramLoaded;
import io.zbpp.protocol.msg.RestoreStage;
import io.zbpp.protocol.msg.ProgramSwapped;
import io.zbpp.protocol.msg.Replan;
import io.zbpp.protocol.msg.SwapProgram;
import io.zbpp.protocol.msg.RunIteration;
import io.zbpp.protocol.msg.ShardDigest;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StageBlocked;
import io.zbpp.protocol.msg.StageFailed;
import io.zbpp.protocol.msg.SnapshotStage;
import io.zbpp.protocol.msg.StageRestored;
import io.zbpp.protocol.msg.StageSnapshot;
import io.zbpp.protocol.msg.StopStage;
import io.zbpp.protocol.msg.SubmitJob;
import io.zbpp.schedule.PlanText;
import io.zbpp.schedule.render.Fmt;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The coordinator (docs/design.md "Data flow"): takes a {@link SubmitJob}, checks, plans and compiles it once
 * ({@link JobPlanner}; a bad spec is answered {@link JobRejected} before any stage exists), asks its
 * {@link StageProvisioner} for the stages and waits for them, tells the client's progress listener what it
 * chose ({@link JobStarted}: plan and placement), sends each stage its program, the model and the stage
 * references, drives the iterations (each starts when every stage reported the previous one; with an
 * optimizer check the next one is issued ahead, so that stages run into it on their own and post-validation
 * can overlap iterations — docs/post-validation.md), collects the reports, combines the stages' parameter
 * digests ({@link ParameterDigest}), answers {@link io.zbpp.protocol.msg.JobFinished} and stops the stages. A
 * stage failure, a rejection, a stage actor that stops (it is watched) or a provisioner that finds too few
 * stages fails the job; a coordinator stopped mid-job stops the job's stages, and one told {@link Cancel} also
 * those its provisioner is still placing. One job at a time; each job gets a new epoch, so late messages of an earlier job are
 * ignored.
 *
 * <p>With re-planning (docs/replan.md) a job's {@link Replanner} may propose another plan after an iteration;
 * the coordinator then issues no further iteration, and once every issued one is reported it sends each stage
 * its new program ({@link SwapProgram}), waits for every {@link ProgramSwapped}, and goes on.
 *
 * <p>States: idle → provisioning → loading → running (⇄ swapping) → fetching → idle.
 */
public final class Coordinator {
  /** The default time the provisioner has to produce the stages. */
  public static final Duration PROVISION_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Local: cancel the job and stop (the job API's cancel). The submitter hears {@link JobFailed}; the job's
   * stages are stopped and released — while the provisioner is still placing them, once it answers (or gives up)
   * — and then the coordinator stops, so that a watcher of it knows every device it held is on its way back.
   */
  public enum Cancel implements CoordinatorCommand, NoSerializationVerificationNeeded { CANCEL }

  /** Local: the provisioner did not answer for {@code job} in time. */
  private record ProvisionTimedOut(JobEpoch job) implements CoordinatorCommand, NoSerializationVerificationNeeded {}

  /** Local: the watchdog's deadline for {@code iteration} of {@code job} passed. */
  private record WatchdogFired(JobEpoch job, int iteration)
      implements CoordinatorCommand, NoSerializationVerificationNeeded {}

  /** Local: not every stage answered the watchdog's probe in time. */
  private record ProbeTimedOut(JobEpoch job) implements CoordinatorCommand, NoSerializationVerificationNeeded {}

  /** Local: a stage's snapshot for an in-memory recovery point. */
  private record Snapshotted(StageSnapshot snapshot) implements CoordinatorCommand, NoSerializationVerificationNeeded {}

  /** Local: a stage restored its state from the recovery point. */
  private record Restored(StageRestored restored) implements CoordinatorCommand, NoSerializationVerificationNeeded {}

  /** Local: a neighbour's lost data link was held back for the dead stage's own report; it is due now. */
  private record LinkFault(JobEpoch job, String what) implements CoordinatorCommand, NoSerializationVerificationNeeded {}

  /**
   * How long a lost data link (a symptom: the stage at its other end died) waits for the DeathWatch of the stage
   * that died, so that the recovery report names the cause.
   */
  static final Duration LINK_GRACE = Duration.ofSeconds(2);

  /** How long the watchdog waits for the stages to say where they are. */
  static final Duration PROBE_WAIT = Duration.ofSeconds(5);

  /**
   * A planned job waiting for its stages: at its start, or in a recovery ({@code recovery} knows), then to go on
   * from {@code from}.
   */
  private record Pending(JobEpoch job, SubmitJob submit, JobPlanner.Planned planned, JobCheckpoints checkpoints,
      Recovery recovery, RecoveryPoint from) {}

  /** Local: checkpoint {@code settled}'s manifest is written ({@code failure} empty) or it was given up. */
  private record CheckpointCommitted(JobEpoch job, JobCheckpoints.Settled settled, String failure)
      implements CoordinatorCommand, NoSerializationVerificationNeeded {}

  private final ActorContext<CoordinatorCommand> ctx;
  private final ActorRef<StageProvisioner.Command> provisioner;
  private final Duration provisionTimeout;
  private final CoordinatorMetrics metrics;
  private final FaultPolicy faults;
  private final Function<ResolvedJob, CheckpointPolicy> checkpointPolicy;
  private final ActorRef<StageRestored> restored;
  private final ActorRef<StageSnapshot> snapshots;
  private long epochs;

  private Coordinator(ActorContext<CoordinatorCommand> ctx, Behavior<StageProvisioner.Command> provisioner,
      Duration provisionTimeout, FaultPolicy faults, Function<ResolvedJob, CheckpointPolicy> checkpointPolicy) {
    this.ctx = ctx;
    this.checkpointPolicy = checkpointPolicy;
    this.provisioner = ctx.spawn(provisioner, "provisioner");
    this.provisionTimeout = provisionTimeout;
    this.metrics = NodeMetrics.get(ctx.getSystem()).coordinator();
    this.faults = faults;
    this.restored = ctx.messageAdapter(StageRestored.class, Restored::new);
    this.snapshots = ctx.messageAdapter(StageSnapshot.class, Snapshotted::new);
  }

  /** A coordinator whose stages come from {@code provisioner} (spawned as its child), within 30 s. */
  public static Behavior<CoordinatorCommand> create(Behavior<StageProvisioner.Command> provisioner) {
    return create(provisioner, PROVISION_TIMEOUT);
  }

  public static Behavior<CoordinatorCommand> create(Behavior<StageProvisioner.Command> provisioner,
      Duration provisionTimeout) {
    return create(provisioner, provisionTimeout, FaultPolicy.defaults());
  }

  /** A coordinator that meets faults as {@code faults} says (injections, watchdog, recoveries). */
  public static Behavior<CoordinatorCommand> create(Behavior<StageProvisioner.Command> provisioner,
      Duration provisionTimeout, FaultPolicy faults) {
    return create(provisioner, provisionTimeout, faults, JobCheckpoints::policy);
  }

  /**
   * As {@link #create(Behavior, Duration)}, each job checkpointing (and resuming) as {@code checkpoints} says
   * instead of as its spec's fields say (tests, benchmarks, injected checkpoint faults).
   */
  public static Behavior<CoordinatorCommand> create(Behavior<StageProvisioner.Command> provisioner,
      Duration provisionTimeout, Function<ResolvedJob, CheckpointPolicy> checkpoints) {
    return create(provisioner, provisionTimeout, FaultPolicy.defaults(), checkpoints);
  }

  /** A coordinator that meets faults as {@code faults} says and checkpoints as {@code checkpoints} says. */
  public static Behavior<CoordinatorCommand> create(Behavior<StageProvisioner.Command> provisioner,
      Duration provisionTimeout, FaultPolicy faults, Function<ResolvedJob, CheckpointPolicy> checkpoints) {
    return Behaviors.withMdc(CoordinatorCommand.class, LogContext::of,
        Behaviors.setup(ctx -> new Coordinator(ctx, provisioner, provisionTimeout, faults, checkpoints).idle()));
  }

  private Behavior<CoordinatorCommand> idle() {
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(SubmitJob.class, this::onSubmit)
        .onMessage(StageProvisioner.Provisioned.class, this::onLateStages)
        .onMessageEquals(Cancel.CANCEL, Behaviors::stopped)
        .onAnyMessage(m -> {
          ctx.getLog().debug("idle coordinator ignores {}", m.getClass().getSimpleName());
          return Behaviors.same();
        })
        .onSignal(Terminated.class, t -> Behaviors.same())
        .build();
  }

  private Behavior<CoordinatorCommand> onSubmit(SubmitJob s) {
    JobEpoch job = new JobEpoch(s.spec().jobId(), ++epochs);
    JobPlanner.Planned planned;
    FaultPolicy policy;
    JobCheckpoints checkpoints;
    try {
      planned = JobPlanner.plan(s.spec());
      policy = FaultPolicy.of(s.spec().spec(), faults);
      policy.check(planned.compiled().programs(), s.spec().iterations());
      checkpoints = JobCheckpoints.of(JobCheckpoints.injected(checkpointPolicy.apply(s.spec()), policy.inject(),
          s.spec().iterations()), s.spec(), planned,
          line -> ctx.getLog().warn("job {}: {}", job, line));
    } catch (IllegalArgumentException e) {
      ctx.getLog().info("job {} rejected: {}", job, e.getMessage());
      s.replyTo().tell(new JobRejected(job, e.getMessage()));
      return Behaviors.same();
    }
    return provision(new Pending(job, s, planned, checkpoints, new Recovery(policy),
        RecoveryPoint.initial()), provisionTimeout);
  }

  private Behavior<CoordinatorCommand> provision(Pending p, Duration timeout) {
    SubmitJob s = p.submit();
    provisioner.tell(new StageProvisioner.Provision(p.job(), s.spec().stages(), s.spec().chunksPerStage(),
        s.spec().modelSpec(), timeout, ctx.getSelf().narrow()));
    // the provisioner answers within the timeout; a little later the coordinator gives up on its own
    ctx.scheduleOnce(timeout.plus(timeout.dividedBy(10)), ctx.getSelf(), new ProvisionTimedOut(p.job()));
    return provisioning(p);
  }

  private Behavior<CoordinatorCommand> provisioning(Pending p) {
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(SubmitJob.class, s -> busy(s, p.job()))
        .onMessage(StageProvisioner.Provisioned.class, r -> r.job().equals(p.job()) ? start(p, r) : onLateStages(r))
        .onMessage(StageProvisioner.ProvisionFailed.class, f -> f.job().equals(p.job())
            ? failProvisioning(p, "stages: " + f.reason()) : Behaviors.same())
        .onMessage(ProvisionTimedOut.class, t -> t.job().equals(p.job())
            ? failProvisioning(p, "stages: no answer from the provisioner within " + (p.recovery().underWay()
                ? p.recovery().policy().recoveryTimeout() : provisionTimeout) + "; needed "
                + p.submit().spec().stages() + " stage slots")
            : Behaviors.same())
        .onMessageEquals(Cancel.CANCEL, () -> cancelProvisioning(p))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  /**
   * Cancelled while the provisioner places the stages: they may be starting on the workers right now, so wait
   * for its answer, stop whatever it gives, release, then stop.
   */
  private Behavior<CoordinatorCommand> cancelProvisioning(Pending p) {
    ctx.getLog().info("job {} cancelled while its stages are being placed", p.job());
    p.submit().replyTo().tell(new JobFailed(p.job(), "cancelled"));
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(StageProvisioner.Provisioned.class, r -> {
          onLateStages(r);
          return r.job().equals(p.job()) ? Behaviors.stopped() : Behaviors.same();
        })
        .onMessage(StageProvisioner.ProvisionFailed.class, f -> f.job().equals(p.job())
            ? Behaviors.stopped() : Behaviors.same())
        .onMessage(ProvisionTimedOut.class, t -> t.job().equals(p.job()) ? Behaviors.stopped() : Behaviors.same())
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<CoordinatorCommand> failProvisioning(Pending p, String reason) {
    String why = p.recovery().underWay() ? p.recovery().lost() + "; no replacement: " + reason
        + "; add a worker or free a device (or raise recoveryTimeoutSeconds) and submit the job again" : reason;
    ctx.getLog().error("job {} failed: {}", p.job(), why);
    p.submit().replyTo().tell(new JobFailed(p.job(), why));
    metrics.jobFailed();
    provisioner.tell(new StageProvisioner.Release(p.job()));
    return idle();
  }

  /** Stages of a job the coordinator gave up on: stop them. */
  private Behavior<CoordinatorCommand> onLateStages(StageProvisioner.Provisioned r) {
    ctx.getLog().warn("stopping {} stages of {} that arrived after it ended", r.stages().size(), r.job());
    r.stages().forEach(s -> s.tell(new StopStage(r.job())));
    provisioner.tell(new StageProvisioner.Release(r.job()));
    return Behaviors.same();
  }

  private Behavior<CoordinatorCommand> start(Pending p, StageProvisioner.Provisioned r) {
    SubmitJob s = p.submit();
    JobEpoch job = p.job();
    if (r.stages().size() != s.spec().stages()) {
      r.stages().forEach(st -> st.tell(new StopStage(job)));
      return failProvisioning(p, "stages: needed " + s.spec().stages() + " stage slots, the provisioner gave "
          + r.stages().size());
    }
    ActiveJob active = new ActiveJob(job, s.spec(), p.planned(), r.stages(), s.replyTo(), s.progress(),
        p.checkpoints(), p.recovery(), p.from());
    Programs programs = p.planned().compiled().programs();
    List<ActorRef<StageCommand>> stages = active.stages;
    stages.forEach(ctx::watch);
    Optional<String> local = FaultPolicy.workerKillInCoordinatorJvm(active.recovery.pending(), stages);
    if (local.isPresent()) {
      return fail(active, local.get());
    }
    if (!p.recovery().underWay()) {
      metrics.jobStarted(job, s.spec().stages(), s.spec().iterations(), p.planned().predictedBubbleRate());
      String planText = PlanText.formatNamed(p.planned().compiled().plan());
      s.progress().ifPresent(l -> l.tell(new JobStarted(job, p.planned().compiled().plan().schedule(), planText,
          p.planned().predictedBubbleRate(), r.placement())));
    }
    for (int st = 0; st < stages.size(); st++) {
      stages.get(st).tell(new LoadProgram(job, programs.stage(st), programs.microbatches(),
          programs.placement().chunkStage(), s.spec().frameBytes(), stages, ctx.getSelf(), s.spec().optimizer(),
          s.spec().modelSpec(), active.recovery.pending()));
    }
    ctx.getLog().info("job {}: {} on p={} m={}, predicted bubble {}, stages {}", job, programs.schedule(),
        s.spec().stages(), s.spec().microbatches(), p.planned().predictedBubbleRate(), r.placement());
    return loading(active);
  }

  private Behavior<CoordinatorCommand> loading(ActiveJob a) {
    return common(a).onMessage(ProgramLoaded.class, l -> {
      if (!l.job().equals(a.job) || !a.loaded(l)) {
        return Behaviors.same();
      }
      Optional<DataPeers> peers;
      try {
        peers = a.dataPeers();
      } catch (IllegalStateException e) {
        return fail(a, e.getMessage());
      }
      peers.ifPresent(d -> a.stages.forEach(s -> s.tell(d))); // before RunIteration: one sender keeps the order
      if (a.from instanceof RecoveryPoint.Shards shards) {
        for (int st = 0; st < a.stages.size(); st++) {
          a.stages.get(st).tell(new RestoreStage(a.job, shards.stages().get(st), restored));
        }
        return restoring(a, new java.util.HashSet<>());
      }
      if (a.from instanceof RecoveryPoint.Checkpoint c) {
        return restoring(a, c.manifest(), c.dir());
      }
      Optional<Manifest> resumed = a.checkpoints.resumed();
      if (resumed.isPresent()) {
        return restoring(a, resumed.get(), a.checkpoints.resumeDir());
      }
      return run(a);
    }).build();
  }

  /** Every stage writes the recovery point's state into its fresh chunks before the replay. */
  private Behavior<CoordinatorCommand> restoring(ActiveJob a, java.util.Set<Integer> done) {
    return common(a).onMessage(Restored.class, r -> {
      if (r.restored().job().equals(a.job) && done.add(r.restored().stage()) && done.size() == a.stages.size()) {
        return run(a);
      }
      return Behaviors.same();
    }).build();
  }

  /**
   * An in-memory recovery point at the boundary before {@code next} (every stage is between iterations): every
   * stage's snapshot is kept, then the job goes on.
   */
  private Behavior<CoordinatorCommand> snapshot(ActiveJob a, int next) {
    a.stages.forEach(s -> s.tell(new SnapshotStage(a.job, snapshots)));
    java.util.Map<Integer, List<io.zbpp.protocol.msg.ChunkState>> shards = new java.util.HashMap<>();
    return common(a).onMessage(Snapshotted.class, m -> {
      StageSnapshot s = m.snapshot();
      if (!s.job().equals(a.job)) {
        return Behaviors.same();
      }
      shards.put(s.stage(), s.chunks());
      if (shards.size() < a.stages.size()) {
        return Behaviors.same();
      }
      a.recovery.reached(new RecoveryPoint.Shards(next, a.results(), shards));
      issue(a);
      return running(a);
    }).build();
  }

  /** Issues the first iterations of this epoch (from the recovery point on). */
  private Behavior<CoordinatorCommand> run(ActiveJob a) {
    long recoveryNanos = a.recovery.resumed(System.nanoTime());
    if (recoveryNanos >= 0) {
      metrics.recovered(recoveryNanos);
      a.progress.ifPresent(p -> p.tell(new JobRecovered(a.job, a.nextIteration(), a.recovery.lost())));
    }
    issue(a);
    return running(a);
  }

  /**
   * A resumed job, or a recovery from a checkpoint the job wrote: every stage restores its shard of checkpoint
   * {@code m} in {@code dir}, then the job goes on from there.
   */
  private Behavior<CoordinatorCommand> restoring(ActiveJob a, Manifest m, String dir) {
    for (ShardEntry e : m.getShardsList()) {
      a.stages.get(e.getStage()).tell(new RestoreCheckpoint(a.job, dir, m.getIteration(), e.getFile(),
          e.getSha256(), e.getBytes()));
    }
    ctx.getLog().info("job {} resumes from {} in {}", a.job, CheckpointStore.name(m.getIteration()), dir);
    int[] restored = {0};
    return common(a).onMessage(StageRestored.class, r -> {
      if (!r.job().equals(a.job) || ++restored[0] < a.stages.size()) {
        return Behaviors.same();
      }
      return run(a);
    }).build();
  }

  /**
   * Issues iterations while the window has room (none while a plan swap waits for the iteration boundary), each
   * with the checkpoint due once it is done.
   */
  private void issue(ActiveJob a) {
    for (OptionalInt it = a.nextToIssue(); it.isPresent(); it = a.nextToIssue()) {
      int i = it.getAsInt();
      a.recovery.pending().stream().filter(x -> x.kind() == Injection.Kind.KILL_COORDINATOR && x.iteration() == i)
          .findFirst().ifPresent(x -> CoordinatorKill.strike(x.toString()));
      a.startIteration(i, System.nanoTime());
      a.checkpoints.dueWith(a.job, i).ifPresent(take -> {
        for (int s = 0; s < a.stages.size(); s++) {
          a.stages.get(s).tell(take.get(s)); // before the RunIteration whose end (or validation) it waits for
        }
      });
      a.stages.forEach(s -> s.tell(new RunIteration(a.job, i)));
      ctx.scheduleOnce(a.recovery.deadline(a.expectedNanos()), ctx.getSelf(), new WatchdogFired(a.job, i));
    }
  }

  /** A stage wrote (or failed to write) its shard; once all did, the manifest is written off this thread. */
  private Behavior<CoordinatorCommand> onShardWritten(ActiveJob a, ShardWritten w) {
    a.checkpoints.shard(w).ifPresent(settled -> ctx.pipeToSelf(a.checkpoints.commit(settled),
        (failure, e) -> new CheckpointCommitted(a.job, settled, e == null ? failure : e.toString())));
    return Behaviors.same();
  }

  private Behavior<CoordinatorCommand> onCommitted(ActiveJob a, CheckpointCommitted c) {
    noteCommitted(a, c);
    return finishIfDone(a);
  }

  private void noteCommitted(ActiveJob a, CheckpointCommitted c) {
    double seconds = a.checkpoints.committed(c.settled(), c.failure());
    String name = CheckpointStore.name(c.settled().iteration());
    if (c.failure().isEmpty()) {
      ctx.getLog().info("job {}: checkpoint {} written", a.job, name);
      CheckpointProgress written = a.checkpoints.written(a.job, c.settled());
      metrics.checkpointWritten(seconds, written.bytes());
      a.progress.ifPresent(p -> p.tell(written));
    } else {
      metrics.checkpointFailed();
      ctx.getLog().warn("job {}: checkpoint {} not written ({}); the job goes on", a.job, name, c.failure());
    }
  }

  private Behavior<CoordinatorCommand> running(ActiveJob a) {
    return common(a).onMessage(WatchdogFired.class, w -> w.job().equals(a.job) && a.pending(w.iteration())
        ? probe(a, w.iteration()) : Behaviors.same()).onMessage(IterationReport.class, r -> {
      if (!r.job().equals(a.job)) {
        return Behaviors.same();
      }
      for (IterationResult done : a.report(r, System.nanoTime())) {
        metrics.iteration(done, (long) a.spec.microbatches() * a.spec.model().microbatchSize());
        metrics.messages(done, a.planned.compiled().plan().placement().chunks(), a::sameHost);
        a.recovery.progressed(done.iteration());
        a.considerReplan();
      }
      announce(a, a.settled());
      if (a.allDone()) {
        a.stages.forEach(s -> s.tell(new FetchParameters(a.job)));
        return fetching(a);
      }
      Optional<Replanner.Swap> swap = a.swapDue();
      if (swap.isPresent()) {
        Programs programs = swap.get().compiled().programs();
        for (int st = 0; st < a.stages.size(); st++) {
          a.stages.get(st).tell(new SwapProgram(a.job, programs.stage(st)));
        }
        return swapping(a);
      }
      if (a.atBoundary() && a.recovery.snapshotDue(a.nextIteration(), a.window())) {
        return snapshot(a, a.nextIteration());
      }
      issue(a);
      return Behaviors.same();
    }).build();
  }

  /** The stages swap their programs (between iterations); once all did, the iterations go on. */
  private Behavior<CoordinatorCommand> swapping(ActiveJob a) {
    return common(a).onMessage(ProgramSwapped.class, s -> {
      if (!s.job().equals(a.job)) {
        return Behaviors.same();
      }
      Optional<Replan> done = a.swapped();
      if (done.isEmpty()) {
        return Behaviors.same();
      }
      Replan r = done.get();
      ctx.getLog().info("job {}: re-planned from iteration {}: predicted {} ms -> {} ms ({})", a.job,
          r.iteration(), Fmt.num(r.oldPredictedMs()), Fmt.num(r.newPredictedMs()), r.reason());
      issue(a);
      return running(a);
    }).build();
  }

  private Behavior<CoordinatorCommand> fetching(ActiveJob a) {
    return common(a).onMessage(ShardDigest.class, d -> {
      if (!d.job().equals(a.job)) {
        return Behaviors.same();
      }
      a.digest.add(d);
      a.addOptimizerStats(d.optimizer());
      return finishIfDone(a);
    }).build();
  }

  /**
   * The watchdog fired for iteration {@code it}: every stage is asked where it stands; the answers (or their
   * absence, after {@link #PROBE_WAIT}) make the report the recovery starts from.
   */
  private Behavior<CoordinatorCommand> probe(ActiveJob a, int it) {
    Duration deadline = a.recovery.deadline(a.expectedNanos());
    ctx.getLog().warn("job {}: iteration {} not done within {}; asking the stages where they are", a.job, it, deadline);
    a.stages.forEach(s -> s.tell(new ProbeStage(a.job)));
    ctx.scheduleOnce(PROBE_WAIT, ctx.getSelf(), new ProbeTimedOut(a.job));
    WatchdogReport report = new WatchdogReport(it, deadline, a.stages.size());
    return common(a)
        .onMessage(StageBlocked.class, b -> b.job().equals(a.job) && report.add(b)
            ? onFault(a, -1, report.text()) : Behaviors.same())
        .onMessage(ProbeTimedOut.class, t -> t.job().equals(a.job) ? onFault(a, -1, report.text()) : Behaviors.same())
        .build();
  }

  /**
   * A fault (docs/faults.md "Recovery protocol"): the epoch is abandoned — its stages are stopped and released,
   * so their late messages are dropped by the epoch check — and the job is provisioned again under a new epoch,
   * every stage loaded afresh and restored from the recovery point, then run from there. Past the allowed
   * recoveries the job fails with one line.
   */
  private Behavior<CoordinatorCommand> onFault(ActiveJob a, int stage, String what) {
    ctx.getLog().error("job {}: fault: {}", a.job, what);
    a.recovery.detected(what, stage, a.firstPending(), a.lastStarted(), System.nanoTime());
    metrics.faultDetected();
    String lost = a.recovery.lost();
    if (!a.recovery.mayRecover()) {
      int max = a.recovery.policy().maxRecoveries();
      return fail(a, lost + "; " + (max == 0 ? "no recovery allowed (maxRecoveries 0)"
          : max + " recoveries already made (maxRecoveries)") + "; find the cause in the log and submit the job again");
    }
    stopStages(a);
    a.checkpoints.abandoned();
    return a.checkpoints.settled() ? recover(a) : awaitingManifests(a);
  }

  /**
   * The manifests being written when the fault came are waited for (their shards are written): such a checkpoint
   * is a later recovery point than the ones before it.
   */
  private Behavior<CoordinatorCommand> awaitingManifests(ActiveJob a) {
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(CheckpointCommitted.class, c -> {
          if (c.job().equals(a.job)) {
            noteCommitted(a, c);
          }
          return a.checkpoints.settled() ? recover(a) : Behaviors.same();
        })
        .onMessage(SubmitJob.class, s -> busy(s, a.job))
        .onMessage(StageProvisioner.Provisioned.class, this::onLateStages)
        .onMessageEquals(Cancel.CANCEL, () -> cancel(a))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  /** Places the job again under a new epoch, from the latest recovery point: a checkpoint it wrote, or in memory. */
  private Behavior<CoordinatorCommand> recover(ActiveJob a) {
    RecoveryPoint from = a.recovery.point();
    Optional<Manifest> durable = a.checkpoints.latestWritten(line -> ctx.getLog().warn("job {}: {}", a.job, line));
    if (durable.isPresent() && durable.get().getIteration() > from.iteration()) {
      int k = durable.get().getIteration();
      from = new RecoveryPoint.Checkpoint(k, a.resultsBefore(k), durable.get(), a.checkpoints.dir());
    }
    int replay = a.lastStarted() + 1 - from.iteration();
    a.recovery.recovering(replay);
    metrics.recoveryStarted(replay);
    JobEpoch next = new JobEpoch(a.job.jobId(), ++epochs);
    ctx.getLog().warn("job {}: recovering as {} from iteration {}", a.job, next, from.iteration());
    SubmitJob s = new SubmitJob(a.spec, a.replyTo, a.progress);
    return provision(new Pending(next, s, a.planned, a.checkpoints, a.recovery, from), a.recovery.policy().recoveryTimeout());
  }

  /** Answers JobFinished once every digest is in and every checkpoint asked for is written or given up. */
  private Behavior<CoordinatorCommand> finishIfDone(ActiveJob a) {
    if (!a.digest.complete() || !a.checkpoints.settled()) {
      return Behaviors.same();
    }
    announce(a, a.settleRest());
    JobFinished finished = a.finished();
    a.replyTo.tell(finished);
    metrics.jobSucceeded(finished.optimizer());
    stopStages(a);
    ctx.getLog().info("job {} finished", a.job);
    return idle();
  }

  /** Tells the client's progress listener about iterations whose step is settled (with their rollbacks). */
  private static void announce(ActiveJob a, List<IterationResult> settled) {
    settled.forEach(done -> a.progress.ifPresent(p -> p.tell(new JobProgress(a.job, a.spec.iterations(), done))));
  }

  /** What every state with stages handles: failures, rejections, and a second job (refused). */
  private BehaviorBuilder<CoordinatorCommand> common(ActiveJob a) {
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(SubmitJob.class, s -> busy(s, a.job))
        .onMessage(StageFailed.class, f -> f.job().equals(a.job) ? onStageFailed(a, f) : Behaviors.same())
        .onMessage(CommandRejected.class, r -> r.job().equals(a.job) && !r.paused() // its failure is reported
            ? fail(a, "stage " + r.stage() + " rejected " + r.reason()) : Behaviors.same())
        .onMessage(StageProvisioner.Provisioned.class, this::onLateStages)
        .onMessage(ShardWritten.class, w -> w.job().equals(a.job) ? onShardWritten(a, w) : Behaviors.same())
        .onMessage(CheckpointCommitted.class, c -> c.job().equals(a.job) ? onCommitted(a, c) : Behaviors.same())
        .onMessageEquals(Cancel.CANCEL, () -> cancel(a))
        .onMessage(LinkFault.class, l -> l.job().equals(a.job) ? onFault(a, -1, l.what()) : Behaviors.same())
        .onSignal(Terminated.class, t -> onFault(a, a.stages.indexOf(t.getRef()), "stage " + a.stages.indexOf(t.getRef()) + " lost: its actor "
            + t.getRef().path() + " stopped"))
        .onSignal(PostStop.class, stop -> {
          // stopped mid-job (a cancelled job's coordinator): its stages stop too, freeing their devices
          stopStages(a);
          return Behaviors.same();
        });
  }

  private Behavior<CoordinatorCommand> cancel(ActiveJob a) {
    ctx.getLog().info("job {} cancelled", a.job);
    a.replyTo.tell(new JobFailed(a.job, "cancelled"));
    stopStages(a);
    return Behaviors.stopped();
  }

  private Behavior<CoordinatorCommand> busy(SubmitJob s, JobEpoch current) {
    s.replyTo().tell(new JobFailed(new JobEpoch(s.spec().jobId(), 0), "coordinator is busy with " + current));
    return Behaviors.same();
  }

  private Behavior<CoordinatorCommand> onStageFailed(ActiveJob a, StageFailed f) {
    if (!f.program().isEmpty()) {
      ctx.getLog().error("job {} stage {}: {}\n{}", a.job, f.stage(), f.message(), f.program());
    }
    if (f.message().startsWith("data link to ")) {
      if (a.linkFaultHeld) {
        return Behaviors.same();
      }
      a.linkFaultHeld = true;
      ctx.scheduleOnce(LINK_GRACE, ctx.getSelf(), new LinkFault(a.job, "stage " + f.stage() + " failed: "
          + f.message()));
      return Behaviors.same();
    }
    return onFault(a, f.stage(), "stage " + f.stage() + " failed: " + f.message()
        + (f.program().isEmpty() ? "" : "\n" + f.program()));
  }

  private Behavior<CoordinatorCommand> fail(ActiveJob a, String why) {
    ctx.getLog().error("job {} failed: {}", a.job, why);
    a.replyTo.tell(new JobFailed(a.job, why));
    metrics.jobFailed();
    stopStages(a);
    return idle();
  }

  private void stopStages(ActiveJob a) {
    if (a.stagesStopped) {
      return;
    }
    a.stagesStopped = true;
    a.stages.forEach(s -> {
      ctx.unwatch(s);
      s.tell(new StopStage(a.job));
    });
    provisioner.tell(new StageProvisioner.Release(a.job));
  }
}
