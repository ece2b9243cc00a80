package io.zbpp.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.JobFailed;
import io.zbpp.protocol.msg.JobFinished;
import io.zbpp.protocol.msg.JobOutcome;
import io.zbpp.protocol.msg.JobProgress;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.JobSpec;
import io.zbpp.protocol.msg.SubmitJob;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Runs training jobs in one JVM with the real message protocol: a coordinator actor and one stage actor per
 * stage in a local actor system; moving stages to other nodes changes the {@link StageProvisioner}, not this
 * flow. Every input is checked before the actor system starts ({@link #validate}).
 *
 * <pre>{@code
 * TrainReport r = LocalTraining.run(TrainSpec.builder("1f1b", 4, 8).iterations(3).build(), chunkFactory);
 * }</pre>
 * An instance keeps one actor system for several jobs (one at a time); {@link #run} opens and closes one.
 */
public final class LocalTraining implements AutoCloseable {
  private final ActorSystem<CoordinatorCommand> system;
  private volatile IntFunction<ChunkRunner> chunks;
  private int jobs;

  private LocalTraining(boolean serializeMessages) {
    Config config = ConfigFactory.parseString("pekko.actor.serialize-messages = " + (serializeMessages ? "on" : "off")
        + "\npekko.log-dead-letters-during-shutdown = off").withFallback(ConfigFactory.load());
    this.system = ActorSystem.create(
        Coordinator.create(new LocalStageProvisioner(job -> chunks)), "zbpp", config);
  }

  /** Starts an actor system for jobs; close it when done. */
  public static LocalTraining open(boolean serializeMessages) {
    return new LocalTraining(serializeMessages);
  }

  /** Validates, starts an actor system, trains, and shuts the system down. */
  public static TrainReport run(TrainSpec spec, IntFunction<ChunkRunner> chunks) {
    validate(spec);
    try (LocalTraining t = open(spec.serializeMessages())) {
      return t.train(spec, chunks);
    }
  }

  /**
   * Checks a spec the way the coordinator will, so that bad input fails here.
   *
   * @throws IllegalArgumentException with a one-line message naming the bad value
   */
  public static void validate(TrainSpec given) {
    TrainSpec spec = given.withConfiguredFrameBytes(ConfigFactory.load());
    if (spec.stages() >= 1 && spec.chunksPerStage() >= 1
        && (long) spec.stages() * spec.chunksPerStage() > spec.availableChunks()) {
      throw new IllegalArgumentException("--stages [" + spec.stages() + "]: " + spec.stages() + " stages × "
          + spec.chunksPerStage() + " chunks need " + (long) spec.stages() * spec.chunksPerStage()
          + " model chunks, the model has " + spec.availableChunks() + " layers");
    }
    JobPlanner.plan(spec.toJobSpec("validate"));
  }

  /** Trains one job on this instance's actor system. */
  public TrainReport train(TrainSpec given, IntFunction<ChunkRunner> factory) {
    return train(given, factory, r -> { });
  }

  /**
   * Trains one job, calling {@code onIteration} after every iteration (from an actor thread, in iteration
   * order; e.g. for a progress bar).
   */
  public synchronized TrainReport train(TrainSpec given, IntFunction<ChunkRunner> factory,
      Consumer<IterationResult> onIteration) {
    TrainSpec spec = given.withConfiguredFrameBytes(system.settings().config());
    validate(spec);
    chunks = factory;
    JobSpec job = spec.toJobSpec("train-" + ++jobs);
    CompletableFuture<Void> reported = new CompletableFuture<>();
    ActorRef<JobProgress> listener = system.systemActorOf(progressListener(onIteration, reported),
        "progress-" + jobs, Props.empty());
    JobOutcome outcome = ask(job, spec, listener);
    if (outcome instanceof JobFailed f) {
      throw new IllegalStateException("job " + f.job() + " failed: " + f.message());
    }
    reported.orTimeout(spec.timeout().toMillis(), TimeUnit.MILLISECONDS).join();
    JobFinished done = (JobFinished) outcome;
    String name = spec.planText().isEmpty() ? spec.schedule() : done.planText().lines().findFirst()
        .map(l -> l.replace("# schedule:", "").strip()).orElse("custom");
    return TrainReport.of(spec, name, done);
  }

  /** Calls back per iteration and stops after the last one, completing {@code reported}. */
  private static Behavior<JobProgress> progressListener(Consumer<IterationResult> onIteration,
      CompletableFuture<Void> reported) {
    return Behaviors.receive(JobProgress.class).onMessage(JobProgress.class, p -> {
      onIteration.accept(p.result());
      if (p.result().iteration() < p.iterations() - 1) {
        return Behaviors.same();
      }
      reported.complete(null);
      return Behaviors.stopped();
    }).build();
  }

  private JobOutcome ask(JobSpec job, TrainSpec spec, ActorRef<JobProgress> progress) {
    try {
      return AskPattern.<CoordinatorCommand, JobOutcome>ask(system,
          reply -> new SubmitJob(job, reply, Optional.of(progress)),
          spec.timeout(), system.scheduler()).toCompletableFuture().get();
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

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("actor system did not stop", e);
    }
  }
}
