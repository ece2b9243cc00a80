package io.zbpp.runtime;

import io.zbpp.compile.Programs;
import io.zbpp.protocol.msg.CommandRejected;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.DataPeers;
import io.zbpp.protocol.msg.FetchParameters;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.JobFailed;
import io.zbpp.protocol.msg.JobProgress;
import io.zbpp.protocol.msg.JobRejected;
import io.zbpp.protocol.msg.JobStarted;
import io.zbpp.protocol.msg.LoadProgram;
import io.zbpp.protocol.msg.ProgramLoaded;
import io.zbpp.protocol.msg.RunIteration;
import io.zbpp.protocol.msg.ShardDigest;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StageFailed;
import io.zbpp.protocol.msg.StopStage;
import io.zbpp.protocol.msg.SubmitJob;
import io.zbpp.schedule.PlanText;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
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
 * stages fails the job. One job at a time; each job gets a new epoch, so late messages of an earlier job are
 * ignored.
 *
 * <p>States: idle → provisioning → loading → running → fetching → idle.
 */
public final class Coordinator {
  /** The default time the provisioner has to produce the stages. */
  public static final Duration PROVISION_TIMEOUT = Duration.ofSeconds(30);

  /** Local: the provisioner did not answer for {@code job} in time. */
  private record ProvisionTimedOut(JobEpoch job) implements CoordinatorCommand, NoSerializationVerificationNeeded {}

  /** A planned job waiting for its stages. */
  private record Pending(JobEpoch job, SubmitJob submit, JobPlanner.Planned planned) {}

  private final ActorContext<CoordinatorCommand> ctx;
  private final ActorRef<StageProvisioner.Command> provisioner;
  private final Duration provisionTimeout;
  private long epochs;

  private Coordinator(ActorContext<CoordinatorCommand> ctx, Behavior<StageProvisioner.Command> provisioner,
      Duration provisionTimeout) {
    this.ctx = ctx;
    this.provisioner = ctx.spawn(provisioner, "provisioner");
    this.provisionTimeout = provisionTimeout;
  }

  /** A coordinator whose stages come from {@code provisioner} (spawned as its child), within 30 s. */
  public static Behavior<CoordinatorCommand> create(Behavior<StageProvisioner.Command> provisioner) {
    return create(provisioner, PROVISION_TIMEOUT);
  }

  public static Behavior<CoordinatorCommand> create(Behavior<StageProvisioner.Command> provisioner,
      Duration provisionTimeout) {
    return Behaviors.setup(ctx -> new Coordinator(ctx, provisioner, provisionTimeout).idle());
  }

  private Behavior<CoordinatorCommand> idle() {
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(SubmitJob.class, this::onSubmit)
        .onMessage(StageProvisioner.Provisioned.class, this::onLateStages)
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
    try {
      planned = JobPlanner.plan(s.spec());
    } catch (IllegalArgumentException e) {
      ctx.getLog().info("job {} rejected: {}", job, e.getMessage());
      s.replyTo().tell(new JobRejected(job, e.getMessage()));
      return Behaviors.same();
    }
    provisioner.tell(new StageProvisioner.Provision(job, s.spec().stages(), s.spec().chunksPerStage(),
        s.spec().modelSpec(), provisionTimeout, ctx.getSelf().narrow()));
    // the provisioner answers within provisionTimeout; a little later the coordinator gives up on its own
    ctx.scheduleOnce(provisionTimeout.plus(provisionTimeout.dividedBy(10)), ctx.getSelf(), new ProvisionTimedOut(job));
    return provisioning(new Pending(job, s, planned));
  }

  private Behavior<CoordinatorCommand> provisioning(Pending p) {
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(SubmitJob.class, s -> busy(s, p.job()))
        .onMessage(StageProvisioner.Provisioned.class, r -> r.job().equals(p.job()) ? start(p, r) : onLateStages(r))
        .onMessage(StageProvisioner.ProvisionFailed.class, f -> f.job().equals(p.job())
            ? failProvisioning(p, "stages: " + f.reason()) : Behaviors.same())
        .onMessage(ProvisionTimedOut.class, t -> t.job().equals(p.job())
            ? failProvisioning(p, "stages: no answer from the provisioner within " + provisionTimeout + "; needed "
                + p.submit().spec().stages() + " stage slots")
            : Behaviors.same())
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<CoordinatorCommand> failProvisioning(Pending p, String why) {
    ctx.getLog().error("job {} failed: {}", p.job(), why);
    p.submit().replyTo().tell(new JobFailed(p.job(), why));
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
    ActiveJob active = new ActiveJob(job, s.spec(), p.planned(), r.stages(), s.replyTo(), s.progress());
    Programs programs = p.planned().compiled().programs();
    List<ActorRef<StageCommand>> stages = active.stages;
    stages.forEach(ctx::watch);
    String planText = PlanText.formatNamed(p.planned().compiled().plan());
    s.progress().ifPresent(l -> l.tell(new JobStarted(job, p.planned().compiled().plan().schedule(), planText,
        p.planned().predictedBubbleRate(), r.placement())));
    for (int st = 0; st < stages.size(); st++) {
      stages.get(st).tell(new LoadProgram(job, programs.stage(st), programs.microbatches(),
          programs.placement().chunkStage(), s.spec().frameBytes(), stages, ctx.getSelf(), s.spec().optimizer(),
          s.spec().modelSpec()));
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
      for (int it = 0; it < a.window() && it < a.spec.iterations(); it++) {
        startIteration(a, it);
      }
      return running(a);
    }).build();
  }

  private void startIteration(ActiveJob a, int it) {
    a.startIteration(it, System.nanoTime());
    a.stages.forEach(s -> s.tell(new RunIteration(a.job, it)));
  }

  private Behavior<CoordinatorCommand> running(ActiveJob a) {
    return common(a).onMessage(IterationReport.class, r -> {
      if (!r.job().equals(a.job)) {
        return Behaviors.same();
      }
      for (IterationResult done : a.report(r, System.nanoTime())) {
        a.progress.ifPresent(p -> p.tell(new JobProgress(a.job, a.spec.iterations(), done)));
        int next = done.iteration() + a.window();
        if (next < a.spec.iterations()) {
          startIteration(a, next);
        }
      }
      if (!a.allDone()) {
        return Behaviors.same();
      }
      a.stages.forEach(s -> s.tell(new FetchParameters(a.job)));
      return fetching(a);
    }).build();
  }

  private Behavior<CoordinatorCommand> fetching(ActiveJob a) {
    return common(a).onMessage(ShardDigest.class, d -> {
      if (!d.job().equals(a.job)) {
        return Behaviors.same();
      }
      a.digest.add(d);
      a.addOptimizerStats(d.optimizer());
      if (!a.digest.complete()) {
        return Behaviors.same();
      }
      a.replyTo.tell(a.finished());
      stopStages(a);
      ctx.getLog().info("job {} finished", a.job);
      return idle();
    }).build();
  }

  /** What every state with stages handles: failures, rejections, and a second job (refused). */
  private BehaviorBuilder<CoordinatorCommand> common(ActiveJob a) {
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(SubmitJob.class, s -> busy(s, a.job))
        .onMessage(StageFailed.class, f -> f.job().equals(a.job) ? onStageFailed(a, f) : Behaviors.same())
        .onMessage(CommandRejected.class, r -> r.job().equals(a.job)
            ? fail(a, "stage " + r.stage() + " rejected " + r.reason()) : Behaviors.same())
        .onMessage(StageProvisioner.Provisioned.class, this::onLateStages)
        .onSignal(Terminated.class, t -> fail(a, "stage actor " + t.getRef().path().name() + " stopped"));
  }

  private Behavior<CoordinatorCommand> busy(SubmitJob s, JobEpoch current) {
    s.replyTo().tell(new JobFailed(new JobEpoch(s.spec().jobId(), 0), "coordinator is busy with " + current));
    return Behaviors.same();
  }

  private Behavior<CoordinatorCommand> onStageFailed(ActiveJob a, StageFailed f) {
    if (!f.program().isEmpty()) {
      ctx.getLog().error("job {} stage {}: {}\n{}", a.job, f.stage(), f.message(), f.program());
    }
    return fail(a, "stage " + f.stage() + ": " + f.message());
  }

  private Behavior<CoordinatorCommand> fail(ActiveJob a, String why) {
    ctx.getLog().error("job {} failed: {}", a.job, why);
    a.replyTo.tell(new JobFailed(a.job, why));
    stopStages(a);
    return idle();
  }

  private void stopStages(ActiveJob a) {
    a.stages.forEach(s -> {
      ctx.unwatch(s);
      s.tell(new StopStage(a.job));
    });
    provisioner.tell(new StageProvisioner.Release(a.job));
  }
}
