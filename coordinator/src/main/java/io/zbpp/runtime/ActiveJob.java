package io.zbpp.runtime;

import io.zbpp.protocol.msg.DataEndpoint;
import io.zbpp.protocol.msg.DataPeers;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.JobFinished;
import io.zbpp.protocol.msg.JobOutcome;
import io.zbpp.protocol.msg.JobEvent;
import io.zbpp.protocol.msg.JobSpec;
import io.zbpp.protocol.msg.LossRecord;
import io.zbpp.protocol.msg.OptimizerStats;
import io.zbpp.protocol.msg.ProgramLoaded;
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
 * The coordinator's bookkeeping for the job it drives, kept out of the actor : which stages
 * loaded, the reports of the current iteration, the per-iteration results and the parameter digest.
 */
final class ActiveJob {
  final JobEpoch job;
  final JobSpec spec;
  final JobPlanner.Planned planned;
  final List<ActorRef<StageCommand>> stages;
  final ActorRef<JobOutcome> replyTo;
  final Optional<ActorRef<JobEvent>> progress;
  final ParameterDigest digest;
  private final TreeMap<Integer, TreeMap<Integer, IterationReport>> reports = new TreeMap<>();
  private final TreeMap<Integer, Long> started = new TreeMap<>();
  private final List<IterationResult> results = new ArrayList<>();
  private int loaded;
  private final java.util.Map<Integer, DataEndpoint> dataEndpoints = new java.util.HashMap<>();
  private long lastCompletion = Long.MIN_VALUE;
  private OptimizerStats optimizer = OptimizerStats.none();

  ActiveJob(JobEpoch job, JobSpec spec, JobPlanner.Planned planned, List<ActorRef<StageCommand>> stages,
      ActorRef<JobOutcome> replyTo, Optional<ActorRef<JobEvent>> progress) {
    this.job = job;
    this.spec = spec;
    this.planned = planned;
    this.stages = List.copyOf(stages);
    this.replyTo = replyTo;
    this.progress = progress;
    this.digest = new ParameterDigest(stages.size(), planned.compiled().plan().placement().chunks());
  }

  /** Counts a loaded stage and keeps its data endpoint; true once all are loaded. */
  boolean loaded(ProgramLoaded l) {
    l.data().ifPresent(d -> dataEndpoints.put(l.stage(), d));
    return ++loaded == stages.size();
  }

  /**
   * The data peers to send before the first iteration: empty when no stage has a data plane.
   *
   * @throws IllegalStateException naming the stages without one when only some have a data plane
   */
  Optional<DataPeers> dataPeers() {
    if (dataEndpoints.isEmpty()) {
      return Optional.empty();
    }
    List<DataEndpoint> all = new java.util.ArrayList<>();
    List<Integer> missing = new java.util.ArrayList<>();
    for (int s = 0; s < stages.size(); s++) {
      DataEndpoint d = dataEndpoints.get(s);
      if (d == null) {
        missing.add(s);
      }
      all.add(d);
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("stages " + missing + " have no data plane while stages "
          + new java.util.TreeSet<>(dataEndpoints.keySet()) + " have one; every stage needs one or none");
    }
    return Optional.of(new DataPeers(job, all));
  }

  /**
   * How many iterations may be issued at once: 1 without an optimizer check (each starts when the previous
   * one is reported, as before issue 6), 2 with one (stages run into the next iteration on their own).
   */
  int window() {
    return spec.optimizer().checked() ? 2 : 1;
  }

  void startIteration(int it, long nowNanos) {
    started.put(it, nowNanos);
  }

  /**
   * Adds a stage's report; returns the next iteration's result once every stage reported it (iterations
   * complete in order; a report of a later iteration waits). Wall time: from the later of its RunIteration and
   * the previous iteration's completion to its own completion, so overlapping iterations are not counted twice.
   */
  List<IterationResult> report(IterationReport r, long nowNanos) {
    if (!started.containsKey(r.iteration())) {
      throw new IllegalStateException("stage " + r.stage() + " reported iteration " + r.iteration()
          + ", which was not started");
    }
    reports.computeIfAbsent(r.iteration(), k -> new TreeMap<>()).put(r.stage(), r);
    List<IterationResult> done = new ArrayList<>();
    for (Optional<IterationResult> next = complete(nowNanos); next.isPresent(); next = complete(nowNanos)) {
      done.add(next.get());
    }
    return done;
  }

  private Optional<IterationResult> complete(long nowNanos) {
    int it = results.size();
    TreeMap<Integer, IterationReport> current = reports.get(it);
    if (current == null || current.size() < stages.size()) {
      return Optional.empty();
    }
    reports.remove(it);
    List<StageTrace> traces = current.values().stream()
        .map(x -> new StageTrace(x.stage(), x.passes(), x.peakBytes())).toList();
    long from = Math.max(started.get(it), lastCompletion);
    lastCompletion = nowNanos;
    IterationResult result = new IterationResult(it, meanLoss(current), nowNanos - from,
        RealizedBubble.rate(traces), traces);
    results.add(result);
    return Optional.of(result);
  }

  boolean allDone() {
    return results.size() == spec.iterations();
  }

  void addOptimizerStats(OptimizerStats s) {
    optimizer = optimizer.plus(s);
  }

  /** The mean microbatch loss, summed in microbatch order (as a single-device run does). */
  private static double meanLoss(TreeMap<Integer, IterationReport> reports) {
    List<LossRecord> losses = reports.values().stream().flatMap(r -> r.losses().stream())
        .sorted(Comparator.comparingInt(LossRecord::microbatch)).toList();
    double sum = 0;
    for (LossRecord l : losses) {
      sum += l.loss();
    }
    return losses.isEmpty() ? Double.NaN : sum / losses.size();
  }

  JobFinished finished() {
    return new JobFinished(job, planned.predictedBubbleRate(), results, digest.sha256(),
        PlanText.formatNamed(planned.compiled().plan()), optimizer);
  }
}
