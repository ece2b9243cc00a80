package io.zbpp.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.OptimizerStats;
import io.zbpp.protocol.msg.PassRecord;
import io.zbpp.protocol.msg.StageTrace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.IntSupplier;

/**
 * What a coordinator records. Counters and the iteration-time histogram add up over every job (no job label,
 * so their series stay bounded); the gauges describe the job that runs now or ran last, labelled with its id
 * ({@code job}) and, per stage, {@code stage}: when the next job starts, the previous job's gauges are removed,
 * so at most one job's series exist at a time.
 *
 * <p>A stage's busy fraction over an iteration is its total compute-pass time divided by the iteration's cost
 * (the largest span from a stage's first pass to its last, as in {@code RealizedBubble}); its bubble fraction is
 * one minus that, so the busiest stage's bubble fraction is the realized bubble rate.
 */
public final class CoordinatorMetrics {
  private static final Duration[] ITERATION_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
      Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60),
      Duration.ofSeconds(300)};
  /** Histogram buckets of message latencies: 10 µs to 10 s. */
  private static final Duration[] MESSAGE_BUCKETS = {Duration.ofNanos(10_000), Duration.ofNanos(25_000),
      Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
      Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(10)};

  private final MeterRegistry registry;
  private final Timer iterationTime;
  private final Timer messageLatency;
  private final Counter iterations;
  private final Counter samples;
  private final Counter rollbacks;
  private final Counter skippedSteps;
  private final Timer checkpointWrite;
  private final Counter checkpointBytes;
  private final Counter checkpointsFailed;
  private final Counter faultsDetected;
  private final Counter recoveries;
  private final Counter iterationsReplayed;
  private final Timer recoveryTime;
  private final List<Meter> jobGauges = new ArrayList<>();
  private final Ratio predicted = new Ratio();
  private final Ratio realized = new Ratio();
  private final Ratio samplesPerSecond = new Ratio();
  private final Ratio iterationsDone = new Ratio();
  private final Ratio iterationsPlanned = new Ratio();
  private List<Ratio> busy = List.of();
  private List<Ratio> bubble = List.of();

  CoordinatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    iterationTime = Timer.builder("zbpp.iteration.duration")
        .description("Wall time of a training iteration, as the coordinator saw it")
        .serviceLevelObjectives(ITERATION_BUCKETS).register(registry);
    messageLatency = Timer.builder("zbpp.message.latency")
        .description("Time from the end of a pass to the start of the pass on another stage that waited for its "
            + "tensor (stages on one host)")
        .serviceLevelObjectives(MESSAGE_BUCKETS).register(registry);
    iterations = Counter.builder("zbpp.iterations").description("Training iterations completed")
        .register(registry);
    samples = Counter.builder("zbpp.samples").description("Training samples processed (microbatches x size)")
        .register(registry);
    rollbacks = Counter.builder("zbpp.optimizer.rollbacks")
        .description("Eager optimizer steps undone because the validation rejected them").register(registry);
    skippedSteps = Counter.builder("zbpp.optimizer.skipped.steps")
        .description("Iterations whose optimizer step was skipped for non-finite gradients").register(registry);
    checkpointWrite = Timer.builder("zbpp.checkpoint.write")
        .description("Time to write a checkpoint: its slowest stage's shard, from snapshot to fsync")
        .serviceLevelObjectives(ITERATION_BUCKETS).register(registry);
    checkpointBytes = Counter.builder("zbpp.checkpoint.written.bytes")
        .description("Bytes of stage shards in the checkpoints written").register(registry);
    checkpointsFailed = Counter.builder("zbpp.checkpoints.failed")
        .description("Checkpoints given up because a shard or the manifest could not be written").register(registry);
    faultsDetected = Counter.builder("zbpp.faults.detected")
        .description("Faults the coordinator detected in running jobs (a stage died or failed, a worker left, the "
            + "iteration watchdog fired)").register(registry);
    recoveries = Counter.builder("zbpp.recoveries").description("Recoveries started after a fault")
        .register(registry);
    iterationsReplayed = Counter.builder("zbpp.iterations.replayed")
        .description("Iterations run again by recoveries, from their recovery point").register(registry);
    recoveryTime = Timer.builder("zbpp.recovery.duration")
        .description("Time from a fault's detection to the first iteration of its replay")
        .serviceLevelObjectives(ITERATION_BUCKETS).register(registry);
    for (String outcome : List.of("succeeded", "failed")) {
      jobs(outcome);
    }
  }

  private Counter jobs(String outcome) {
    return Counter.builder("zbpp.jobs.finished").description("Jobs the coordinator ended, by outcome")
        .tag("outcome", outcome).register(registry);
  }

  /**
   * A job started on {@code stages} stages: replaces the previous job's gauges with this one's.
   *
   * @param predictedBubble the plan's simulated bubble rate
   */
  public synchronized void jobStarted(JobEpoch job, int stages, int iterations, double predictedBubble) {
    jobGauges.forEach(registry::remove);
    jobGauges.clear();
    String id = job.jobId();
    predicted.set(predictedBubble);
    realized.set(0);
    samplesPerSecond.set(0);
    iterationsDone.set(0);
    iterationsPlanned.set(iterations);
    gauge("zbpp.bubble.predicted.ratio", "The plan's simulated bubble rate", id, predicted);
    gauge("zbpp.bubble.realized.ratio", "Bubble rate of the last iteration, from measured pass times", id,
        realized);
    gauge("zbpp.samples.per.second", "Training samples per second over the last iteration", id, samplesPerSecond);
    gauge("zbpp.job.iterations.completed", "Iterations of the job completed so far", id, iterationsDone);
    gauge("zbpp.job.iterations.planned", "Iterations the job runs", id, iterationsPlanned);
    List<Ratio> b = new ArrayList<>();
    List<Ratio> u = new ArrayList<>();
    for (int s = 0; s < stages; s++) {
      Ratio busyS = new Ratio();
      Ratio bubbleS = new Ratio();
      b.add(busyS);
      u.add(bubbleS);
      jobGauges.add(Gauge.builder("zbpp.stage.busy.ratio", busyS, Ratio::get)
          .description("Fraction of the last iteration a stage spent in compute passes")
          .tag("job", id).tag("stage", Integer.toString(s)).register(registry));
      jobGauges.add(Gauge.builder("zbpp.stage.bubble.ratio", bubbleS, Ratio::get)
          .description("Fraction of the last iteration a stage was idle (1 - busy)")
          .tag("job", id).tag("stage", Integer.toString(s)).register(registry));
    }
    busy = b;
    bubble = u;
  }

  private void gauge(String name, String description, String job, Ratio value) {
    jobGauges.add(Gauge.builder(name, value, Ratio::get).description(description).tag("job", job)
        .register(registry));
  }

  /** An iteration of the current job completed; {@code samplesPerIteration} = microbatches x microbatch size. */
  public synchronized void iteration(IterationResult r, long samplesPerIteration) {
    iterationTime.record(Duration.ofNanos(Math.max(0, r.wallNanos())));
    iterations.increment();
    samples.increment(samplesPerIteration);
    iterationsDone.set(r.iteration() + 1);
    realized.set(r.realizedBubbleRate());
    samplesPerSecond.set(r.wallNanos() > 0 ? samplesPerIteration * 1e9 / r.wallNanos() : 0);
    long cost = 0;
    for (StageTrace t : r.stages()) {
      cost = Math.max(cost, span(t));
    }
    for (StageTrace t : r.stages()) {
      if (t.stage() < busy.size()) {
        double fraction = cost == 0 ? 0 : (double) busyNanos(t) / cost;
        busy.get(t.stage()).set(fraction);
        bubble.get(t.stage()).set(1 - fraction);
      }
    }
  }

  /**
   * Records the latency of every cross-stage message a stage of iteration {@code r} waited for ({@link
   * WaitedEdges}) between two stages that {@code sameClock} says read one clock (one host).
   *
   * @param chunks the model's chunks over all stages
   */
  public void messages(IterationResult r, int chunks, BiPredicate<Integer, Integer> sameClock) {
    List<WaitedEdges.Pass> passes = new ArrayList<>();
    for (StageTrace t : r.stages()) {
      for (PassRecord p : t.passes()) {
        passes.add(new WaitedEdges.Pass(t.stage(), p.op().name(), p.chunk(), p.microbatch(), p.startNanos(),
            p.endNanos()));
      }
    }
    for (WaitedEdges.Edge e : WaitedEdges.of(passes, chunks)) {
      if (sameClock.test(e.producer().stage(), e.consumer().stage())) {
        messageLatency.record(Duration.ofNanos(Math.max(0, (long) e.latency())));
      }
    }
  }

  /** Serves the job API's queue length, {@code zbpp_jobs_queued}, from {@code queued}. */
  public void jobQueue(IntSupplier queued) {
    Gauge.builder("zbpp.jobs.queued", queued, q -> q.getAsInt()).strongReference(true)
        .description("Jobs the job API holds in its queue, waiting for worker devices").register(registry);
  }

  private static long span(StageTrace t) {
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (PassRecord p : t.passes()) {
      first = Math.min(first, p.startNanos());
      last = Math.max(last, p.endNanos());
    }
    return t.passes().isEmpty() ? 0 : last - first;
  }

  private static long busyNanos(StageTrace t) {
    long sum = 0;
    for (PassRecord p : t.passes()) {
      sum += p.nanos();
    }
    return sum;
  }

  /** The job ended with every iteration; {@code optimizer}: its rollbacks and skipped steps over all stages. */
  public void jobSucceeded(OptimizerStats optimizer) {
    rollbacks.increment(optimizer.rollbacks());
    skippedSteps.increment(optimizer.skippedSteps());
    jobs("succeeded").increment();
  }

  /** A checkpoint of the current job was committed (its manifest written). */
  public void checkpointWritten(double seconds, long bytes) {
    checkpointWrite.record(Duration.ofNanos((long) (Math.max(0, seconds) * 1e9)));
    checkpointBytes.increment(bytes);
  }

  /** A checkpoint was given up: the job goes on without it. */
  public void checkpointFailed() {
    checkpointsFailed.increment();
  }

  /** A fault was detected in the running job. */
  public void faultDetected() {
    faultsDetected.increment();
  }

  /** A recovery starts; it will run {@code iterations} again. */
  public void recoveryStarted(int iterations) {
    recoveries.increment();
    iterationsReplayed.increment(Math.max(0, iterations));
  }

  /** A recovery's replay started {@code nanos} after the fault was detected. */
  public void recovered(long nanos) {
    recoveryTime.record(Duration.ofNanos(Math.max(0, nanos)));
  }

  public void jobFailed() {
    jobs("failed").increment();
  }
}
