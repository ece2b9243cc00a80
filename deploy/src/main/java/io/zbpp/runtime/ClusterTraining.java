package io.zbpp.runtime;

import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.JobEvent;
import io.zbpp.protocol.msg.JobFailed;
import io.zbpp.protocol.msg.JobFinished;
import io.zbpp.protocol.msg.JobOutcome;
import io.zbpp.protocol.msg.JobProgress;
import io.zbpp.protocol.msg.JobRejected;
import io.zbpp.protocol.msg.JobSpec;
import io.zbpp.protocol.msg.JobStarted;
import io.zbpp.protocol.msg.SubmitJob;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Trains a job on a cluster (docs/cluster.md): submits it from a node of the cluster to the coordinator (the
 * singleton's proxy), which places the stages on the workers; the stages build the model the spec names. The
 * same protocol as {@link LocalTraining}, every message over Artery, so the losses and the parameter digest
 * equal a single-JVM run's.
 */
public final class ClusterTraining {
  private ClusterTraining() {}

  /**
   * Submits {@code given} to {@code coordinator} from {@code system} and waits for its outcome.
   *
   * @throws IllegalArgumentException when the coordinator rejects the spec (one line naming the option)
   * @throws IllegalStateException when the job fails (no stages, a stage failure, a timeout)
   */
  public static TrainReport train(ActorSystem<?> system, ActorRef<CoordinatorCommand> coordinator, TrainSpec given,
      LocalTraining.Listener listener) {
    TrainSpec spec = given.withConfiguredFrameBytes(system.settings().config());
    LocalTraining.validate(spec);
    String id = "job-" + UUID.randomUUID().toString().substring(0, 8);
    JobSpec job = spec.toJobSpec(id);
    CompletableFuture<JobStarted> started = new CompletableFuture<>();
    CompletableFuture<Void> reported = new CompletableFuture<>();
    ActorRef<JobEvent> events = system.systemActorOf(events(listener, started, reported), "events-" + id,
        Props.empty());
    JobOutcome outcome = ask(system, coordinator, job, spec, events);
    if (outcome instanceof JobRejected r) {
      throw new IllegalArgumentException(JobSpecFlags.message(r.message()));
    }
    if (outcome instanceof JobFailed f) {
      throw new IllegalStateException("job " + f.job() + " failed: " + f.message());
    }
    reported.orTimeout(spec.timeout().toMillis(), TimeUnit.MILLISECONDS).join();
    return TrainReport.of(spec, started.join().schedule(), (JobFinished) outcome);
  }

  private static Behavior<JobEvent> events(LocalTraining.Listener listener, CompletableFuture<JobStarted> started,
      CompletableFuture<Void> reported) {
    return Behaviors.receive(JobEvent.class)
        .onMessage(JobStarted.class, s -> {
          started.complete(s);
          listener.started(s);
          return Behaviors.same();
        })
        .onMessage(JobProgress.class, p -> {
          listener.iteration(p.result());
          if (p.result().iteration() < p.iterations() - 1) {
            return Behaviors.same();
          }
          reported.complete(null);
          return Behaviors.stopped();
        }).build();
  }

  private static JobOutcome ask(ActorSystem<?> system, ActorRef<CoordinatorCommand> coordinator, JobSpec job,
      TrainSpec spec, ActorRef<JobEvent> events) {
    try {
      return AskPattern.<CoordinatorCommand, JobOutcome>ask(coordinator,
          reply -> new SubmitJob(job, reply, Optional.of(events)), spec.timeout(), system.scheduler())
          .toCompletableFuture().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TimeoutException) {
        return new JobFailed(new JobEpoch(job.jobId(), 0), "no answer within " + spec.timeout());
      }
      throw new IllegalStateException("job " + job.jobId() + " failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while training " + job.jobId(), e);
    }
  }
}
