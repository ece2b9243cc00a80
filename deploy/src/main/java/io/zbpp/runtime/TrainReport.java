package io.zbpp.runtime;

import io.zbpp.protocol.msg.CheckpointStats;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.JobFinished;
import io.zbpp.protocol.msg.OptimizerStats;
import io.zbpp.protocol.msg.RecoveryStats;
import io.zbpp.protocol.msg.PassRecord;
import io.zbpp.protocol.msg.Replan;
import io.zbpp.protocol.msg.StageTrace;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code zbpp train} reports (the JSON fields), from the coordinator's {@link JobFinished}.
 *
 * <p>{@code realizedBubbleRate}, {@code iterationMillis} average and {@code samplesPerSecond} leave out the
 * first iteration when there are several: it includes JIT compilation and first-touch allocation, which the
 * paper's steady-state figures do not. Per-iteration values are all kept.
 *
 * @param losses the mean microbatch loss of each iteration
 * @param paramsSha256 SHA-256 of all parameters in model order (float32 little-endian, chunk by chunk)
 * @param realizedBubbleRates per iteration, measured from the pass timestamps ({@link RealizedBubble})
 * @param iterationMillis per iteration, from RunIteration to the last stage's report
 * @param samplesPerSecond m · microbatch size / mean steady iteration time
 * @param timeline every compute pass that ran, for an SVG of what actually happened
 * @param planText the plan that ran (plan-file format)
 * @param optimizer what the optimizer check did: rollbacks (summed over stages), skipped and clipped steps, the
 *     rollback mode and the largest bytes one stage kept for exact rollback (docs/post-validation.md)
 * @param peakBytes per stage, the most bytes its chunks held (stashed activations and the tensors W keeps) after
 *     any op of any iteration, as the stage measured them; empty when not measured
 * @param replans every swap of the stage programs by re-planning, in order (docs/replan.md)
 * @param recovery what fault recovery did: faults detected, recoveries, iterations replayed, seconds
 *     (docs/faults.md)
 * @param checkpoints the checkpoints written and the one the job resumed from (its losses then start there)
 */
public record TrainReport(String schedule, int stages, int microbatches, List<Double> losses, String paramsSha256,
    double predictedBubbleRate, double realizedBubbleRate, List<Double> realizedBubbleRates,
    List<Double> iterationMillis, double samplesPerSecond, List<TimelineBar> timeline, String planText,
    OptimizerStats optimizer, List<Long> peakBytes, List<Replan> replans, RecoveryStats recovery,
    CheckpointStats checkpoints) {
  public TrainReport(String schedule, int stages, int microbatches, List<Double> losses, String paramsSha256,
      double predictedBubbleRate, double realizedBubbleRate, List<Double> realizedBubbleRates,
      List<Double> iterationMillis, double samplesPerSecond, List<TimelineBar> timeline, String planText,
      OptimizerStats optimizer, List<Long> peakBytes) {
    this(schedule, stages, microbatches, losses, paramsSha256, predictedBubbleRate, realizedBubbleRate,
        realizedBubbleRates, iterationMillis, samplesPerSecond, timeline, planText, optimizer, peakBytes,
        List.of(), RecoveryStats.none(), CheckpointStats.none());
  }

  public TrainReport(String schedule, int stages, int microbatches, List<Double> losses, String paramsSha256,
      double predictedBubbleRate, double realizedBubbleRate, List<Double> realizedBubbleRates,
      List<Double> iterationMillis, double samplesPerSecond, List<TimelineBar> timeline, String planText,
      OptimizerStats optimizer) {
    this(schedule, stages, microbatches, losses, paramsSha256, predictedBubbleRate, realizedBubbleRate,
        realizedBubbleRates, iterationMillis, samplesPerSecond, timeline, planText, optimizer, List.of());
  }

  public TrainReport(String schedule, int stages, int microbatches, List<Double> losses, String paramsSha256,
      double predictedBubbleRate, double realizedBubbleRate, List<Double> realizedBubbleRates,
      List<Double> iterationMillis, double samplesPerSecond, List<TimelineBar> timeline, String planText) {
    this(schedule, stages, microbatches, losses, paramsSha256, predictedBubbleRate, realizedBubbleRate,
        realizedBubbleRates, iterationMillis, samplesPerSecond, timeline, planText, OptimizerStats.none());
  }

  public TrainReport {
    losses = List.copyOf(losses);
    realizedBubbleRates = List.copyOf(realizedBubbleRates);
    iterationMillis = List.copyOf(iterationMillis);
    timeline = List.copyOf(timeline);
    peakBytes = List.copyOf(peakBytes);
    replans = List.copyOf(replans);
  }

  /**
   * One compute pass as it ran; times in ms from the earliest pass start of its iteration (one JVM, one
   * clock).
   *
   * @param cpuMillis the CPU time its stage's thread got during the pass, NaN when not measured
   */
  public record TimelineBar(int iteration, int stage, String op, int microbatch, int chunk, double startMillis,
      double endMillis, double cpuMillis) {
    public TimelineBar(int iteration, int stage, String op, int microbatch, int chunk, double startMillis,
        double endMillis) {
      this(iteration, stage, op, microbatch, chunk, startMillis, endMillis, Double.NaN);
    }
  }

  /**
   * The share of the passes' wall time (iterations after the first when there are several) in which their
   * threads had no core: 1 − CPU time / wall time, summed over the passes of every stage; NaN when the CPU
   * time was not measured.
   */
  public double coreWaitShare() {
    // the first iteration run (a resumed job's is not 0) is left out when there are several
    int skip = timeline.stream().mapToInt(TimelineBar::iteration).min().orElse(0)
        + (iterationMillis.size() > 1 ? 1 : 0);
    double wall = 0;
    double cpu = 0;
    for (TimelineBar b : timeline) {
      if (b.iteration() < skip) {
        continue;
      }
      if (Double.isNaN(b.cpuMillis())) {
        return Double.NaN;
      }
      wall += b.endMillis() - b.startMillis();
      cpu += Math.min(b.cpuMillis(), b.endMillis() - b.startMillis());
    }
    return wall > 0 ? 1 - cpu / wall : Double.NaN;
  }

  static TrainReport of(TrainSpec spec, String scheduleName, JobFinished f) {
    List<IterationResult> its = f.iterations();
    List<Double> losses = its.stream().map(IterationResult::loss).toList();
    List<Double> bubbles = its.stream().map(IterationResult::realizedBubbleRate).toList();
    List<Double> millis = its.stream().map(r -> r.wallNanos() / 1e6).toList();
    int skip = its.size() > 1 ? 1 : 0;
    double meanMillis = mean(millis.subList(skip, millis.size()));
    double samples = meanMillis > 0 ? spec.microbatches() * spec.microbatchSize() * 1000.0 / meanMillis : 0;
    return new TrainReport(scheduleName, spec.stages(), spec.microbatches(), losses, f.paramsSha256(),
        f.predictedBubbleRate(), mean(bubbles.subList(skip, bubbles.size())), bubbles, millis, samples,
        bars(its), f.planText(), f.optimizer(), peaks(spec.stages(), its), f.replans(), f.recovery(),
        f.checkpoints());
  }

  /** Per stage, the largest peak any iteration reported. */
  private static List<Long> peaks(int stages, List<IterationResult> its) {
    long[] peak = new long[stages];
    for (IterationResult r : its) {
      for (StageTrace t : r.stages()) {
        if (t.stage() >= 0 && t.stage() < stages) {
          peak[t.stage()] = Math.max(peak[t.stage()], t.peakBytes());
        }
      }
    }
    return java.util.Arrays.stream(peak).boxed().toList();
  }

  private static List<TimelineBar> bars(List<IterationResult> its) {
    List<TimelineBar> out = new ArrayList<>();
    its.forEach(r -> out.addAll(bars(r)));
    return out;
  }

  /** The passes of one iteration as timeline bars, times from its earliest pass start. */
  public static List<TimelineBar> bars(IterationResult r) {
    List<TimelineBar> out = new ArrayList<>();
    long origin = r.stages().stream().flatMap(s -> s.passes().stream()).mapToLong(PassRecord::startNanos).min()
        .orElse(0);
    for (StageTrace t : r.stages()) {
      for (PassRecord p : t.passes()) {
        out.add(new TimelineBar(r.iteration(), t.stage(), p.op().name(), p.microbatch(), p.chunk(),
            (p.startNanos() - origin) / 1e6, (p.endNanos() - origin) / 1e6,
            p.cpuNanos() < 0 ? Double.NaN : p.cpuNanos() / 1e6));
      }
    }
    return out;
  }

  private static double mean(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }
}
