package io.zbpp.runtime;

import io.zbpp.protocol.msg.DataEndpoint;
import io.zbpp.protocol.msg.DataPeers;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.JobFinished;
import io.zbpp.protocol.msg.JobOutcome;
import io.zbpp.protocol.msg.JobEvent;
import io.zbpp.protocol.msg.ResolvedJob;
import io.zbpp.protocol.msg.LossRecord;
import io.zbpp.protocol.msg.OptimizerStats;
import io.zbpp.protocol.msg.ProgramLoaded;
import io.zbpp.protocol.msg.Replan;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StageTrace;
import io.zbpp.schedule.PlanText;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The coordinator's bookkeeping for the job it drives, kept out of the actor : which stages
 * loaded, the reports of the current iteration, the per-iteration results and the parameter digest.
 */
final class ActiveJob {
  final JobEpoch job;
  final ResolvedJob spec;
  final JobPlanner.Planned planned;
  final List<ActorRef<StageCommand>> stages;
  final ActorRef<JobOutcome> replyTo;
  final Optional<ActorRef<JobEvent>> progress;
  final ParameterDigest digest;
  /** What the passes really cost, from the completed iterations (for re-planning, docs/replan.md). */
  final CostEstimates estimates;
  private final TreeMap<Integer, TreeMap<Integer, IterationReport>> reports = new TreeMap<>();
  private final TreeMap<Integer, Long> started = new TreeMap<>();
  private final List<IterationResult> results = new ArrayList<>();
  private int loaded;
  private final java.util.Map<Integer, DataEndpoint> dataEndpoints = new java.util.HashMap<>();
  private long lastCompletion = Long.MIN_VALUE;
  private OptimizerStats optimizer = OptimizerStats.none();
  /** The job's faults across its epochs. */
  final Recovery recovery;
  /** Where this epoch started from. */
  final RecoveryPoint from;
  /** A neighbour's lost data link waits ({@code Coordinator.LINK_GRACE}) for the cause's own report. */
  boolean linkFaultHeld;
  /** The job's checkpoints, and the iteration it starts at (a resumed job's checkpoint's). */
  final JobCheckpoints checkpoints;
  private final int first;
  /** By iteration: the stages that reported its settled step, its rollbacks and whether it was skipped. */
  private final Map<Integer, Settlement> settlements = new HashMap<>();
  /** How many iterations' progress the client has heard (each once its step is settled). */
  private int announced;
  /** The results kept from before a recovery (announced then; the stages' optimizer totals start after them). */
  private final int epochStart;
  /** Whether the coordinator told the stages to stop and released them (it does so once). */
  boolean stagesStopped;
  /** Re-planning: the decider, the swap waiting for the next iteration boundary, the swaps made. */
  private final Replanner replanner;
  private Replanner.Swap pendingSwap;
  private int swapAcks;
  private final List<Replan> replans = new ArrayList<>();
  private int nextIteration;

  ActiveJob(JobEpoch job, ResolvedJob spec, JobPlanner.Planned planned, List<ActorRef<StageCommand>> stages,
      ActorRef<JobOutcome> replyTo, Optional<ActorRef<JobEvent>> progress, JobCheckpoints checkpoints) {
    this(job, spec, planned, stages, replyTo, progress, checkpoints, new Recovery(FaultPolicy.defaults()),
        RecoveryPoint.initial());
  }

  /**
   * A job's epoch: it starts at the checkpoint it resumed from ({@code checkpoints.first()}) or, after a
   * recovery, at the recovery point, whose results (those since the job's start) it keeps.
   */
  ActiveJob(JobEpoch job, ResolvedJob spec, JobPlanner.Planned planned, List<ActorRef<StageCommand>> stages,
      ActorRef<JobOutcome> replyTo, Optional<ActorRef<JobEvent>> progress, JobCheckpoints checkpoints,
      Recovery recovery, RecoveryPoint from) {
    this.checkpoints = checkpoints;
    this.recovery = recovery;
    this.from = from;
    this.results.addAll(from.results());
    this.first = Math.max(checkpoints.first(), from.iteration()) - from.results().size();
    this.announced = from.results().size();
    this.epochStart = announced;
    this.nextIteration = first + results.size();
    this.job = job;
    this.spec = spec;
    this.planned = planned;
    this.stages = List.copyOf(stages);
    this.replyTo = replyTo;
    this.progress = progress;
    this.digest = new ParameterDigest(stages.size(), planned.compiled().plan().placement().chunks());
    this.estimates = new CostEstimates(stages.size(), CostEstimates.DEFAULT_WINDOW);
    this.replanner = planned.replan().mode() == ReplanPolicy.Mode.OFF ? null
        : new Replanner(planned.replan(), Schedules.byName(spec.schedule()),
            new Shape(spec.stages(), spec.microbatches(), spec.chunksPerStage()), spec.optimizer().check(),
            planned.compiled().plan(), planned.costs(),
            window() == 1 && stages.stream().allMatch(s -> s.path().address().hasLocalScope()), window() > 1);
  }

  /**
   * Whether two stages run on one host, so that their pass times ({@code System.nanoTime}, the host's monotonic
   * clock) compare: both in this actor system, or both at one remote host.
   */
  boolean sameHost(int a, int b) {
    return stages.get(a).path().address().getHost().equals(stages.get(b).path().address().getHost());
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

  /**
   * The next iteration to issue now, if any: the next one while fewer than {@link #window} are outstanding and
   * no swap waits for the iteration boundary.
   */
  OptionalInt nextToIssue() {
    boolean room = nextIteration < spec.iterations() && nextIteration - done() < window();
    return room && pendingSwap == null ? OptionalInt.of(nextIteration) : OptionalInt.empty();
  }

  void startIteration(int it, long nowNanos) {
    started.put(it, nowNanos);
    nextIteration = it + 1;
  }

  /**
   * Asks the re-planner after a completed iteration; a proposed swap waits for the iteration boundary before
   * {@link #nextIteration} (no further iteration is issued meanwhile). A swap proposed when no iteration is
   * left is dropped.
   */
  void considerReplan() {
    if (replanner == null || pendingSwap != null || nextIteration >= spec.iterations()) {
      return;
    }
    pendingSwap = replanner.consider(estimates, nextIteration).orElse(null);
  }

  /** The swap to send now: one is pending and every issued iteration was reported (the stages are idle). */
  Optional<Replanner.Swap> swapDue() {
    return pendingSwap != null && done() == nextIteration ? Optional.of(pendingSwap) : Optional.empty();
  }

  /** Counts a stage's ProgramSwapped; once all did, the swap is made and reported (returned). */
  Optional<Replan> swapped() {
    if (pendingSwap == null || ++swapAcks < stages.size()) {
      return Optional.empty();
    }
    Replanner.Swap s = pendingSwap;
    pendingSwap = null;
    swapAcks = 0;
    replanner.swapped(s, estimates);
    replans.add(s.report());
    return Optional.of(s.report());
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
    if (r.settledIteration() >= 0) {
      settlements.computeIfAbsent(r.settledIteration(), k -> new Settlement()).add(r);
    }
    List<IterationResult> done = new ArrayList<>();
    for (Optional<IterationResult> next = complete(nowNanos); next.isPresent(); next = complete(nowNanos)) {
      done.add(next.get());
    }
    return done;
  }

  /** The iterations completed: a resumed job's checkpoint's, and those it ran since. */
  private int done() {
    return first + results.size();
  }

  private Optional<IterationResult> complete(long nowNanos) {
    int it = done();
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
    estimates.add(result);
    return Optional.of(result);
  }

  /** The last iteration started in this epoch, or the one before the first. */
  int lastStarted() {
    return nextIteration - 1;
  }

  /** The next iteration to issue; at a boundary (all issued ones reported) the one a snapshot comes before. */
  int nextIteration() {
    return nextIteration;
  }

  /** Whether every issued iteration was reported: the stages are between iterations. */
  boolean atBoundary() {
    return done() == nextIteration;
  }

  /** The completed iterations' results, in order. */
  List<IterationResult> results() {
    return List.copyOf(results);
  }

  /** The results of the iterations this job ran before iteration {@code it} (all completed). */
  List<IterationResult> resultsBefore(int it) {
    return List.copyOf(results.subList(0, Math.min(results.size(), Math.max(0, it - first))));
  }

  /** The oldest iteration that has not completed. */
  int firstPending() {
    return done();
  }

  /** Whether iteration {@code it} has not completed yet. */
  boolean pending(int it) {
    return it >= done();
  }

  /** The mean wall time of the iterations after the first that completed, if any. */
  java.util.OptionalDouble expectedNanos() {
    return results.stream().skip(1).mapToLong(IterationResult::wallNanos).average();
  }

  /**
   * The completed iterations whose step every stage has settled and that the client has not heard yet, in
   * order, with their rollbacks and skip: at once without a post-validation, else once the next iteration is
   * reported (its program validates this one's step).
   */
  List<IterationResult> settled() {
    List<IterationResult> out = new ArrayList<>();
    while (announced < results.size()) {
      Settlement s = settlements.get(first + announced);
      if (s == null || s.stages < stages.size()) {
        break;
      }
      settlements.remove(first + announced);
      out.add(announce(s.rollbacks, s.skipped));
    }
    return out;
  }

  /**
   * At the end (the digests are in, {@link #addOptimizerStats} summed): the iterations not settled yet — the
   * last one under post-validation, validated when the parameters are read — with the rollbacks and skips the
   * stages' totals hold beyond those already announced.
   */
  List<IterationResult> settleRest() {
    List<IterationResult> out = new ArrayList<>(settled());
    int rollbacks = optimizer.rollbacks() - results.subList(epochStart, announced).stream()
        .mapToInt(IterationResult::rollbacks).sum();
    long skipped = optimizer.skippedSteps() - results.subList(epochStart, announced).stream()
        .filter(IterationResult::skipped).count();
    while (announced < results.size()) {
      boolean last = announced == results.size() - 1;
      out.add(announce(last ? rollbacks : 0, last && skipped > 0));
    }
    return out;
  }

  private IterationResult announce(int rollbacks, boolean skipped) {
    IterationResult r = results.get(announced).settled(rollbacks, skipped);
    results.set(announced++, r);
    return r;
  }

  /** What the stages reported about one iteration's step. */
  private static final class Settlement {
    int stages;
    int rollbacks;
    boolean skipped;

    void add(IterationReport r) {
      stages++;
      rollbacks += r.settledRollbacks();
      skipped |= r.settledSkipped();
    }
  }

  boolean allDone() {
    return done() == spec.iterations();
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
        PlanText.formatNamed(planned.compiled().plan()), optimizer, replans, recovery.stats(), checkpoints.stats());
  }
}
