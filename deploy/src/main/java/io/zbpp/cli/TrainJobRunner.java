package io.zbpp.cli;

import io.zbpp.jobs.JobRunner;
import io.zbpp.protocol.jobs.CheckpointWritten;
import io.zbpp.protocol.jobs.Iteration;
import io.zbpp.protocol.jobs.JobResult;
import io.zbpp.protocol.jobs.JobSpec;
import io.zbpp.protocol.jobs.Pass;
import io.zbpp.protocol.jobs.Planned;
import io.zbpp.protocol.msg.CheckpointProgress;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.JobStarted;
import io.zbpp.runtime.JobSpecFlags;
import io.zbpp.runtime.LocalTraining;
import io.zbpp.runtime.TrainReport;
import io.zbpp.runtime.TrainSpec;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import picocli.CommandLine;

/**
 * Runs the job API's jobs exactly as {@code zbpp train} runs them: {@link TrainCommand#resolve(JobSpec)}, the
 * one resolution of a job spec, checks and resolves it (its messages name the spec's fields instead of the
 * options, {@link JobSpecFlags#fieldNames}), and each job trains where its {@link Training} runs it: on its own
 * in-JVM actor system ({@link LocalTraining}; {@code devices} stands for worker devices) or on a cluster's
 * workers ({@link ClusterJobRunner}); either way a job's parameter digest equals {@code zbpp train}'s on the same spec.
 * A job takes one device per stage.
 */
public final class TrainJobRunner implements JobRunner {
  /** Where one job trains: opened per job, closed when it ends or is cancelled (any thread). */
  interface Training extends AutoCloseable {
    /** Trains the resolved spec; blocks until it ends. */
    TrainReport train(TrainSpec spec, LocalTraining.Listener listener);

    /** Stops the job's actors (and so its stages); returns at once or soon. */
    @Override
    void close();
  }

  /** Opens the training of job {@code id}. */
  interface Trainings {
    Training open(String id);
  }

  private final IntSupplier devices;
  private final Trainings trainings;
  private final Consumer<Runnable> devicesChanged;
  private final String description;
  private final AtomicInteger threads = new AtomicInteger();

  /** @param devices the worker devices jobs share (one per stage) */
  public TrainJobRunner(int devices) {
    this(() -> devices, id -> local(), changed -> { }, devices + " devices in this JVM");
  }

  /**
   * Jobs trained where {@code trainings} opens them (the cluster: ClusterJobRunner), on {@code devices} that
   * may change, reported through {@code devicesChanged}.
   */
  TrainJobRunner(IntSupplier devices, Trainings trainings, Consumer<Runnable> devicesChanged, String description) {
    this.devices = devices;
    this.trainings = trainings;
    this.devicesChanged = devicesChanged;
    this.description = description;
  }

  /** Each job on its own in-JVM actor system. */
  private static Training local() {
    LocalTraining t = LocalTraining.open(false);
    return new Training() {
      @Override
      public TrainReport train(TrainSpec spec, LocalTraining.Listener listener) {
        return t.train(spec, listener);
      }

      @Override
      public void close() {
        t.close();
      }
    };
  }

  @Override
  public int devicesFor(JobSpec spec) {
    return resolve(spec).spec().stages();
  }

  @Override
  public int devices() {
    return devices.getAsInt();
  }

  @Override
  public void onDevicesChanged(Runnable changed) {
    devicesChanged.accept(changed);
  }

  /**
   * The job as {@code zbpp train} would run it, after all of its checks.
   *
   * @throws SpecException with the message's options replaced by the spec's field names
   */
  static TrainJob resolve(JobSpec spec) {
    if (spec.getSchedule().equals(TrainCommand.REFERENCE)) {
      throw new SpecException("schedule", "schedule [reference]: the job API runs pipeline schedules; expected a "
          + "schedule name such as zb-2p");
    }
    try {
      return TrainCommand.resolve(spec);
    } catch (CommandLine.ParameterException | UsageException e) {
      String message = JobSpecFlags.fieldNames(e.getMessage().lines().findFirst().orElse("bad spec"));
      int at = message.indexOf(" [");
      return reject(at < 0 ? "" : message.substring(0, at), message);
    }
  }

  private static TrainJob reject(String field, String message) {
    throw new SpecException(field, message);
  }

  @Override
  public Run start(String id, JobSpec given, Events events) {
    TrainJob job = resolve(given);
    AtomicBoolean cancelled = new AtomicBoolean();
    Training training = trainings.open(id);
    Thread t = new Thread(() -> train(job, training, events, cancelled), "zbpp-job-" + id);
    t.setDaemon(true);
    threads.incrementAndGet();
    t.start();
    return () -> {
      cancelled.set(true);
      t.interrupt();
      Thread closer = new Thread(training::close, "zbpp-job-" + id + "-stop");
      closer.setDaemon(true);
      closer.start();
    };
  }

  private void train(TrainJob job, Training training, Events events, AtomicBoolean cancelled) {
    double[] predicted = {Double.NaN};
    int iterations = job.spec().iterations();
    try {
      TrainReport r = training.train(job.spec(), new LocalTraining.Listener() {
        @Override
        public void started(JobStarted s) {
          predicted[0] = s.predictedBubbleRate();
          events.planned(Planned.newBuilder().setSchedule(s.schedule()).setPlanText(s.planText())
              .setPredictedBubbleRate(s.predictedBubbleRate()).addAllPlacement(s.placement()).build());
        }

        @Override
        public void iteration(IterationResult it) {
          events.iteration(Iteration.newBuilder().setIteration(it.iteration()).setIterations(iterations)
              .setLoss(it.loss()).setMillis(it.wallNanos() / 1e6).setPredictedBubbleRate(predicted[0])
              .setRealizedBubbleRate(it.realizedBubbleRate()).setRollbacks(it.rollbacks())
              .setSkipped(it.skipped()).addAllPasses(passes(it)).build());
        }

        @Override
        public void checkpoint(CheckpointProgress c) {
          events.checkpointWritten(CheckpointWritten.newBuilder().setIteration(c.iteration())
              .setLocation(c.location()).setName(c.name()).setBytes(c.bytes()).build());
        }

        @Override
        public void recovered(io.zbpp.protocol.msg.JobRecovered r) {
          events.recovered(io.zbpp.protocol.jobs.Recovered.newBuilder().setFromIteration(r.fromIteration())
              .setFault(r.fault()).build());
        }
      });
      events.succeeded(result(job, r));
    } catch (RuntimeException e) {
      if (!cancelled.get()) {
        events.failed(e.getMessage() == null ? e.toString()
            : JobSpecFlags.fieldNames(e.getMessage().lines().findFirst().orElse(e.toString())));
      }
    } finally {
      if (!cancelled.get()) {
        training.close();
      }
      threads.decrementAndGet();
    }
  }

  /** The iteration's compute passes as the job's events carry them. */
  private static List<Pass> passes(IterationResult it) {
    return TrainReport.bars(it).stream().map(b -> Pass.newBuilder().setStage(b.stage()).setOp(b.op())
        .setMicrobatch(b.microbatch()).setChunk(b.chunk()).setStartMillis(b.startMillis())
        .setEndMillis(b.endMillis()).build()).toList();
  }

  /** The API's result: the report's figures and the whole report as {@code zbpp train --json} prints it. */
  static JobResult result(TrainJob job, TrainReport r) {
    return JobResult.newBuilder().addAllLosses(r.losses()).setParamsSha256(r.paramsSha256())
        .setSchedule(r.schedule()).setPredictedBubbleRate(r.predictedBubbleRate())
        .setRealizedBubbleRate(r.realizedBubbleRate()).addAllIterationMillis(r.iterationMillis())
        .setSamplesPerSecond(r.samplesPerSecond()).setReportJson(Json.write(TrainRunner.json(job, r))).build();
  }

  /** Jobs whose training thread has not ended yet (tests). */
  int activeThreads() {
    return threads.get();
  }

  @Override
  public String toString() {
    return "job runner on " + description;
  }
}
