package io.zbpp.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.zbpp.checkpoint.CheckpointPolicy;
import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.protocol.msg.CheckpointProgress;
import io.zbpp.protocol.msg.JobRecovered;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.JobEvent;
import io.zbpp.protocol.msg.JobFailed;
import io.zbpp.protocol.msg.JobFinished;
import io.zbpp.protocol.msg.JobOutcome;
import io.zbpp.protocol.msg.JobProgress;
import io.zbpp.protocol.msg.JobRejected;
import io.zbpp.protocol.msg.ResolvedJob;
import io.zbpp.protocol.msg.JobStarted;
import io.zbpp.protocol.msg.SubmitJob;
import io.zbpp.stage.ChunkBuilder;
import io.zbpp.dataplane.FrameFault;
import io.zbpp.faults.Injection;
import io.zbpp.stage.DataPlaneFactory;
import io.zbpp.stage.FrameInjections;
import io.zbpp.stage.ModelChunks;
import io.zbpp.stage.StageActor;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
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

    /** A checkpoint's manifest was committed; after the iteration it ends with, possibly after later ones. */
    default void checkpoint(CheckpointProgress c) {}

    /** A recovery's replay starts (docs/faults.md "Recovery protocol"). */
    default void recovered(JobRecovered r) {}
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
      JobPlanner.check(spec.toResolvedJob("validate"));
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
  public TrainReport train(TrainSpec given, ChunkBuilder stageHost, Listener listener) {
    return train(given, FaultPolicy.defaults(), Optional.empty(), stageHost, listener,
        given.dataPlane().planesForJob());
  }

  /** Trains one job on the model its spec names, injecting and recovering from faults as {@code faults} says. */
  public TrainReport train(TrainSpec spec, FaultPolicy faults) {
    return train(spec, faults, Optional.empty(), host, new Listener() { }, spec.dataPlane().planesForJob());
  }

  /**
   * As {@link #train(TrainSpec, ChunkBuilder, Listener)}, the stage actors opening their data planes with
   * {@code planes} instead of the spec's (e.g. with frame faults injected, or to read the planes' counters).
   */
  TrainReport train(TrainSpec given, ChunkBuilder stageHost, Listener listener, Optional<DataPlaneFactory> planes) {
    return train(given, FaultPolicy.defaults(), Optional.empty(), stageHost, listener, planes);
  }

  /**
   * Trains one job on the model its spec names, meeting faults as {@code faults} says and checkpointing as
   * {@code checkpoints} says (benchmarks: faults beside checkpoints).
   */
  public TrainReport train(TrainSpec spec, FaultPolicy faults, CheckpointPolicy checkpoints) {
    return train(spec, faults, Optional.of(checkpoints), host, new Listener() { }, spec.dataPlane().planesForJob());
  }

  /**
   * Trains one job on the model its spec names, checkpointing and resuming as {@code checkpoints} says instead
   * of as the spec's checkpoint fields say (tests and benchmarks; injected checkpoint faults).
   */
  public TrainReport train(TrainSpec spec, CheckpointPolicy checkpoints, Listener listener) {
    return train(spec, FaultPolicy.defaults(), Optional.of(checkpoints), host, listener,
        spec.dataPlane().planesForJob());
  }

  /**
   * Trains one job on a fresh coordinator that meets faults as {@code faults} says, checkpoints as
   * {@code checkpoints} says (empty: as the spec's fields say), whose stages build their chunks with
   * {@code stageHost} and open their data planes with {@code planes} (none: tensors as messages).
   */
  synchronized TrainReport train(TrainSpec given, FaultPolicy faults, Optional<CheckpointPolicy> checkpoints,
      ChunkBuilder stageHost, Listener listener, Optional<DataPlaneFactory> planes) {
    TrainSpec spec = given.withConfiguredFrameBytes(system.settings().config());
    validate(spec);
    ResolvedJob job = spec.toResolvedJob("train-" + ++jobs);
    checkFrameFaults(spec, job, faults);
    Behavior<StageProvisioner.Command> provisioner = InProcessStageProvisioner.create(planes.isEmpty()
        ? r -> StageActor.create(stageHost) : r -> StageActor.create(stageHost, planes));
    ActorRef<CoordinatorCommand> coordinator = system.systemActorOf(
        checkpoints.map(c -> Coordinator.create(provisioner, Coordinator.PROVISION_TIMEOUT, faults, s -> c))
            .orElseGet(() -> Coordinator.create(provisioner, Coordinator.PROVISION_TIMEOUT, faults)),
        "coordinator-" + jobs, Props.empty());
    return submit(system, coordinator, job, spec, listener, "progress-" + jobs);
  }

  /**
   * The job's frame injections reach the stages in their LoadProgram and are injected by their data planes: one
   * that the spec's data plane cannot inject (Artery: none; memory: no drop or corrupt) is bad input, said here
   * in one line before any stage exists.
   */
  private static void checkFrameFaults(TrainSpec spec, ResolvedJob job, FaultPolicy faults) {
    List<Injection> inject;
    try {
      inject = FaultPolicy.of(job.spec(), faults).inject();
    } catch (IllegalArgumentException e) {
      return; // the coordinator refuses the job with its own line
    }
    for (Injection i : inject) {
      List<FrameFault> frames = FrameInjections.of(List.of(i));
      try {
        spec.dataPlane().planesForJob(frames);
      } catch (IllegalArgumentException e) {
        String why = e.getMessage();
        throw new IllegalArgumentException("--inject [" + i + "]" + why.substring(why.indexOf(": ")), e);
      }
    }
  }

  /**
   * Submits {@code job} to {@code coordinator}, passes its events to {@code listener} through an actor named
   * {@code eventsName}, and waits for the outcome and the last iteration's report: the one way a job is run,
   * in one JVM or on a cluster.
   */
  static TrainReport submit(ActorSystem<?> system, ActorRef<CoordinatorCommand> coordinator, ResolvedJob job,
      TrainSpec spec, Listener listener, String eventsName) {
    CompletableFuture<Void> reported = new CompletableFuture<>();
    CompletableFuture<JobStarted> started = new CompletableFuture<>();
    ActorRef<Object> events = system.systemActorOf(eventListener(listener, started, reported), eventsName,
        Props.empty());
    try {
      JobOutcome outcome = ask(system, coordinator, job, spec, events.narrow());
      if (outcome instanceof JobRejected r) {
        throw new IllegalArgumentException(JobSpecFlags.message(r.message()));
      }
      if (outcome instanceof JobFailed f) {
        throw new IllegalStateException("job " + f.job() + " failed: " + f.message());
      }
      JobFinished finished = (JobFinished) outcome;
      events.tell(new Finished(finished.checkpoints().written()));
      reported.orTimeout(spec.timeout().toMillis(), TimeUnit.MILLISECONDS).join();
      return TrainReport.of(spec, started.join().schedule(), finished);
    } finally {
      if (!reported.isDone()) {
        events.tell(Ended.ENDED); // failed, rejected, cancelled or interrupted: no last iteration will stop it
      }
    }
  }

  /** Local: the job ended before its last iteration's event; the event listener stops. */
  private enum Ended implements NoSerializationVerificationNeeded { ENDED }

  /** Local: the job finished having written {@code checkpoints} checkpoints. */
  private record Finished(int checkpoints) implements NoSerializationVerificationNeeded {}

  /**
   * Passes the events on — a checkpoint's after the iteration it ends with, which the coordinator may announce
   * later (the last one's, at the job's end) — and stops ({@link Ended} before) once the job {@link Finished} and
   * its last iteration's and every checkpoint's events came (they may come after the outcome, which travels to
   * another actor), completing {@code reported}.
   */
  private static Behavior<Object> eventListener(Listener listener, CompletableFuture<JobStarted> started,
      CompletableFuture<Void> reported) {
    Relay relay = new Relay(listener, reported);
    return Behaviors.receive(Object.class)
        .onMessage(JobStarted.class, s -> {
          started.complete(s);
          listener.started(s);
          return Behaviors.same();
        })
        .onMessage(JobProgress.class, relay::iteration)
        .onMessage(CheckpointProgress.class, relay::checkpoint)
        .onMessage(JobRecovered.class, r -> {
          listener.recovered(r);
          return Behaviors.same();
        })
        .onMessage(Finished.class, relay::finished)
        .onMessageEquals(Ended.ENDED, Behaviors::stopped)
        .build();
  }

  /** The event listener's iterations and checkpoints: what it passed on, holds back, and still waits for. */
  private static final class Relay {
    private final Listener listener;
    private final CompletableFuture<Void> reported;
    private final Deque<CheckpointProgress> held = new ArrayDeque<>();
    private int passed = -1; // the last iteration passed on
    private boolean lastIteration;
    private int checkpoints;
    private int written = -1; // the checkpoints the finished job wrote; -1 until it finished

    Relay(Listener listener, CompletableFuture<Void> reported) {
      this.listener = listener;
      this.reported = reported;
    }

    Behavior<Object> iteration(JobProgress p) {
      listener.iteration(p.result());
      passed = p.result().iteration();
      lastIteration |= passed == p.iterations() - 1;
      return next();
    }

    Behavior<Object> checkpoint(CheckpointProgress c) {
      checkpoints++;
      held.add(c);
      return next();
    }

    Behavior<Object> finished(Finished f) {
      written = f.checkpoints();
      return next();
    }

    /** Passes on the checkpoints whose last iteration was; stops, completing {@code reported}, once all came. */
    private Behavior<Object> next() {
      while (!held.isEmpty() && held.peek().iteration() - 1 <= passed) {
        listener.checkpoint(held.poll());
      }
      if (!lastIteration || written < 0 || checkpoints < written) {
        return Behaviors.same();
      }
      reported.complete(null);
      return Behaviors.stopped();
    }
  }

  private static JobOutcome ask(ActorSystem<?> system, ActorRef<CoordinatorCommand> coordinator, ResolvedJob job,
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
