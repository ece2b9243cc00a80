package io.zbpp.runtime;

import io.zbpp.compile.Programs;
import io.zbpp.protocol.msg.CommandRejected;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.FetchParameters;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.JobFailed;
import io.zbpp.protocol.msg.JobProgress;
import io.zbpp.protocol.msg.LoadProgram;
import io.zbpp.protocol.msg.ParametersSent;
import io.zbpp.protocol.msg.ProgramLoaded;
import io.zbpp.protocol.msg.RunIteration;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StageFailed;
import io.zbpp.protocol.msg.StopStage;
import io.zbpp.protocol.msg.SubmitJob;
import io.zbpp.protocol.msg.TensorFrame;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The coordinator (docs/design.md "Data flow"): takes a {@link SubmitJob}, plans and compiles it
 * ({@link JobPlanner}), gets stage actors from the injected {@link StageProvisioner}, sends each its
 * program and the stage references, drives the iterations (each starts when every stage reported the previous
 * one; with an optimizer check the next one is issued ahead, so that stages run into it on their own and
 * post-validation can overlap iterations — docs/post-validation.md), collects the reports, fetches the parameters for their digest, answers
 * {@link io.zbpp.protocol.msg.JobFinished} and stops the stages. A stage failure, a rejection or a stage actor
 * that stops (it is watched) fails the job.
 * One job at a time; each job gets a new epoch, so late messages of an earlier job are ignored.
 *
 * <p>States: idle → loading → running → fetching → idle.
 */
public final class Coordinator {
  private final ActorContext<CoordinatorCommand> ctx;
  private final StageProvisioner provisioner;
  private long epochs;

  private Coordinator(ActorContext<CoordinatorCommand> ctx, StageProvisioner provisioner) {
    this.ctx = ctx;
    this.provisioner = provisioner;
  }

  public static Behavior<CoordinatorCommand> create(StageProvisioner provisioner) {
    return Behaviors.setup(ctx -> new Coordinator(ctx, provisioner).idle());
  }

  private Behavior<CoordinatorCommand> idle() {
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(SubmitJob.class, this::onSubmit)
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
      s.replyTo().tell(new JobFailed(job, e.getMessage()));
      return Behaviors.same();
    }
    Programs programs = planned.compiled().programs();
    List<ActorRef<StageCommand>> stages = provisioner.provision(ctx, job, s.spec().stages());
    ActiveJob active = new ActiveJob(job, s.spec(), planned, stages, s.replyTo(), s.progress());
    stages.forEach(ctx::watch);
    for (int st = 0; st < stages.size(); st++) {
      stages.get(st).tell(new LoadProgram(job, programs.stage(st), programs.microbatches(),
          programs.placement().chunkStage(), s.spec().frameBytes(), stages, ctx.getSelf(), s.spec().optimizer()));
    }
    ctx.getLog().info("job {}: {} on p={} m={}, predicted bubble {}", job, programs.schedule(),
        s.spec().stages(), s.spec().microbatches(), planned.predictedBubbleRate());
    return loading(active);
  }

  private Behavior<CoordinatorCommand> loading(ActiveJob a) {
    return common(a).onMessage(ProgramLoaded.class, l -> {
      if (!l.job().equals(a.job) || !a.loaded()) {
        return Behaviors.same();
      }
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
    return common(a)
        .onMessage(TensorFrame.class, f -> {
          if (f.job().equals(a.job) && ParameterDigest.isParameter(f.key())) {
            a.digest.add(a.stageOfChunk(f.key().chunk()), f);
          }
          return finishIfComplete(a);
        })
        .onMessage(ParametersSent.class, p -> {
          if (p.job().equals(a.job)) {
            a.digest.sent(p.stage(), p.frames());
            a.addOptimizerStats(p.optimizer());
          }
          return finishIfComplete(a);
        }).build();
  }

  private Behavior<CoordinatorCommand> finishIfComplete(ActiveJob a) {
    if (!a.digest.complete()) {
      return Behaviors.same();
    }
    a.replyTo.tell(a.finished());
    stopStages(a);
    ctx.getLog().info("job {} finished", a.job);
    return idle();
  }

  /** What every busy state handles: failures, rejections, and a second job (refused). */
  private org.apache.pekko.actor.typed.javadsl.BehaviorBuilder<CoordinatorCommand> common(ActiveJob a) {
    return Behaviors.receive(CoordinatorCommand.class)
        .onMessage(SubmitJob.class, s -> {
          s.replyTo().tell(new JobFailed(new JobEpoch(s.spec().jobId(), 0), "coordinator is busy with " + a.job));
          return Behaviors.same();
        })
        .onMessage(StageFailed.class, f -> f.job().equals(a.job) ? fail(a, "stage " + f.stage() + ": " + f.message())
            : Behaviors.same())
        .onMessage(CommandRejected.class, r -> r.job().equals(a.job)
            ? fail(a, "stage " + r.stage() + " rejected " + r.reason()) : Behaviors.same())
        .onSignal(Terminated.class, t -> fail(a, "stage actor " + t.getRef().path().name() + " stopped"));
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
  }
}
