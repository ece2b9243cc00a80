package io.zbpp.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.IterationResult;
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
import io.zbpp.stage.ChunkBuilder;
import io.zbpp.stage.DataPlaneFactory;
import io.zbpp.stage.ModelChunks;
import io.zbpp.stage.StageActor;
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
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Runs training jobs in one JVM with the real message protocol: per job a coordinator actor whose
 * {@link InProcessStageProvisioner} spawns one stage actor per stage in a local actor system. The stage actors
 * get nothing but protocol messages (the model travels in {@code LoadProgram}); moving them to other nodes
 * changes the provisioner, not this flow. The coordinator checks, plans and compiles each job once; a bad spec
 * comes back as an {@link IllegalArgumentException} naming the {@code zbpp train} option ({@link JobSpecFlags}).
 *
 * <pre>{@code
 * try (LocalTraining t = LocalTraining.open(false)) {
 *   TrainReport r = t.train(TrainSpec.builder("1f1b", 4, 8).iterations(3).modelSpec(model).build());
 * }
 * }</pre>
 * An instance keeps one actor system and one stage host ({@link ChunkBuilder}) for several jobs, one at a time.
 */
public final class LocalTraining implements AutoCloseable {
  /** What a caller hears while a job runs, on an actor thread, in order. */
  public interface Listener {
    /** The coordinator planned the job and has its stages. */
    default void started(JobStarted s) {}

    /** An iteration completed. */
    default void iteration(IterationResult r) {}
  }

  private final ActorSystem<Void> system;
  private final ChunkBuilder host;
  private int jobs;

  private LocalTraining(boolean serializeMessages, ChunkBuilder host) {
    Config config = ConfigFactory.parseString("pekko.actor.serialize-messages = " + (serializeMessages ? "on" : "off")
        + "\npekko.log-dead-letters-during-shutdown = off").withFallback(ConfigFactory.load());
    this.system = ActorSystem.create(Behaviors.empty(), "zbpp", config);
    this.host = host;
  }

  /** Starts an actor system whose stages build the model each job names ({@link ModelChunks}); close it. */
  public static LocalTraining open(boolean serializeMessages) {
    return new LocalTraining(serializeMessages, new ModelChunks());
  }

  /** Validates, starts an actor system, trains with chunk c from {@code chunks}, and shuts the system down. */
  public static TrainReport run(TrainSpec spec, IntFunction<ChunkRunner> chunks) {
    validate(spec);
    try (LocalTraining t = open(spec.serializeMessages())) {
      return t.train(spec, chunks);
    }
  }

  /**
   * The checks that need no planning, so that bad input fails before anything starts: the model's layers
   * against p·v, and the job spec's fields ({@link JobPlanner#check}). The coordinator plans and checks the rest
   * (the memory limit) once, when the job is submitted.
   *
   * @throws IllegalArgumentException with a one-line message naming the option
   */
  public static void validate(TrainSpec given) {
    TrainSpec spec = given.withConfiguredFrameBytes(ConfigFactory.load());
    if (spec.stages() >= 1 && spec.chunksPerStage() >= 1
        && (long) spec.stages() * spec.chunksPerStage() > spec.availableChunks()) {
      throw new IllegalArgumentException("--stages [" + spec.stages() + "]: " + spec.stages() + " stages × "
          + spec.chunksPerStage() + " chunks need " + (long) spec.stages() * spec.chunksPerStage()
          + " model chunks, the model has " + spec.availableChunks() + " layers");
    }
    try {
      JobPlanner.check(spec.toJobSpec("validate"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(JobSpecFlags.message(e.getMessage()), e);
    }
  }

  /** Trains one job on the model its spec names. */
  public TrainReport train(TrainSpec spec) {
    return train(spec, host, new Listener() { });
  }

  /** Trains one job on the model its spec names, telling {@code listener} what happens. */
  public TrainReport train(TrainSpec spec, Listener listener) {
    return train(spec, host, listener);
  }

  /** Trains one job whose stages build chunk c with {@code chunks} (a fake model, a tap on the runners). */
  public TrainReport train(TrainSpec spec, IntFunction<ChunkRunner> chunks) {
    return train(spec, chunks, r -> { });
  }

  /**
   * As {@link #train(TrainSpec, IntFunction)}, calling {@code onIteration} after every iteration (from an actor
   * thread, in iteration order; e.g. for a progress bar).
   */
  public TrainReport train(TrainSpec spec, IntFunction<ChunkRunner> chunks, Consumer<IterationResult> onIteration) {
    return train(spec, (load, c) -> chunks.apply(c), new Listener() {
      @Override
      public void iteration(IterationResult r) {
        onIteration.accept(r);
      }
    });
  }

  /** Trains one job on a fresh coordinator whose stages build their chunks with {@code stageHost}. */
  public synchronized TrainReport train(TrainSpec given, ChunkBuilder stageHost, Listener listener) {
    TrainSpec spec = given.withConfiguredFrameBytes(system.settings().config());
    validate(spec);
    JobSpec job = spec.toJobSpec("train-" + ++jobs);
    Optional<DataPlaneFactory> planes = spec.dataPlane().planesForJob();
    ActorRef<CoordinatorCommand> coordinator = system.systemActorOf(
        Coordinator.create(InProcessStageProvisioner.create(planes.isEmpty() ? r -> StageActor.create(stageHost)
            : r -> StageActor.create(stageHost, planes))),
        "coordinator-" + jobs, Props.empty());
    return submit(system, coordinator, job, spec, listener, "progress-" + jobs);
  }

  /**
   * Submits {@code job} to {@code coordinator}, passes its events to {@code listener} through an actor named
   * {@code eventsName}, and waits for the outcome and the last iteration's report: the one way a job is run,
   * in one JVM or on a cluster.
   */
  static TrainReport submit(ActorSystem<?> system, ActorRef<CoordinatorCommand> coordinator, JobSpec job,
      TrainSpec spec, Listener listener, String eventsName) {
    CompletableFuture<Void> reported = new CompletableFuture<>();
    CompletableFuture<JobStarted> started = new CompletableFuture<>();
    ActorRef<JobEvent> events = system.systemActorOf(eventListener(listener, started, reported), eventsName,
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

  /** Passes the events on and stops after the last iteration, completing {@code reported}. */
  private static Behavior<JobEvent> eventListener(Listener listener, CompletableFuture<JobStarted> started,
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
          reply -> new SubmitJob(job, reply, Optional.of(events)),
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
