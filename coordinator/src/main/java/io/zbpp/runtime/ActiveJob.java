package io.zbpp.runtime;

import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.JobFinished;
import io.zbpp.protocol.msg.JobOutcome;
import io.zbpp.protocol.msg.JobProgress;
import io.zbpp.protocol.msg.JobSpec;
import io.zbpp.protocol.msg.LossRecord;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StageTrace;
import io.zbpp.schedule.PlanText;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The coordinator's bookkeeping for the job it drives, kept out of the actor (STYLE.md §5): which stages
 * loaded, the reports of the current iteration, the per-iteration results and the parameter digest.
 */
final class ActiveJob {
  final JobEpoch job;
  final JobSpec spec;
  final JobPlanner.Planned planned;
  final List<ActorRef<StageCommand>> stages;
  final ActorRef<JobOutcome> replyTo;
  final Optional<ActorRef<JobProgress>> progress;
  final ParameterDigest digest;
  private final TreeMap<Integer, IterationReport> reports = new TreeMap<>();
  private final List<IterationResult> results = new ArrayList<>();
  private int loaded;
  private int iteration;
  private long iterationStart;

  ActiveJob(JobEpoch job, JobSpec spec, JobPlanner.Planned planned, List<ActorRef<StageCommand>> stages,
      ActorRef<JobOutcome> replyTo, Optional<ActorRef<JobProgress>> progress) {
    this.job = job;
    this.spec = spec;
    this.planned = planned;
    this.stages = List.copyOf(stages);
    this.replyTo = replyTo;
    this.progress = progress;
    this.digest = new ParameterDigest(stages.size());
  }

  /** Counts a loaded stage; true once all are loaded. */
  boolean loaded() {
    return ++loaded == stages.size();
  }

  int iteration() {
    return iteration;
  }

  void startIteration(int it, long nowNanos) {
    iteration = it;
    iterationStart = nowNanos;
    reports.clear();
  }

  /** Adds a stage's report; returns the iteration's result once every stage reported. */
  Optional<IterationResult> report(IterationReport r, long nowNanos) {
    if (r.iteration() != iteration) {
      throw new IllegalStateException("stage " + r.stage() + " reported iteration " + r.iteration()
          + " during iteration " + iteration);
    }
    reports.put(r.stage(), r);
    if (reports.size() < stages.size()) {
      return Optional.empty();
    }
    List<StageTrace> traces = reports.values().stream()
        .map(x -> new StageTrace(x.stage(), x.passes(), x.peakBytes())).toList();
    IterationResult result = new IterationResult(iteration, meanLoss(), nowNanos - iterationStart,
        RealizedBubble.rate(traces), traces);
    results.add(result);
    return Optional.of(result);
  }

  /** The mean microbatch loss, summed in microbatch order (as a single-device run does). */
  private double meanLoss() {
    List<LossRecord> losses = reports.values().stream().flatMap(r -> r.losses().stream())
        .sorted(Comparator.comparingInt(LossRecord::microbatch)).toList();
    double sum = 0;
    for (LossRecord l : losses) {
      sum += l.loss();
    }
    return losses.isEmpty() ? Double.NaN : sum / losses.size();
  }

  boolean lastIteration() {
    return iteration == spec.iterations() - 1;
  }

  int stageOfChunk(int chunk) {
    return planned.compiled().plan().placement().stageOf(chunk);
  }

  JobFinished finished() {
    return new JobFinished(job, planned.predictedBubbleRate(), results, digest.sha256(),
        PlanText.formatNamed(planned.compiled().plan()));
  }
}
