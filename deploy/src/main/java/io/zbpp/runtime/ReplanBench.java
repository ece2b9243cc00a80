package io.zbpp.runtime;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.protocol.msg.Replan;
import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.paper.PaperSetting;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Issue 14's comparison (docs/replan.md): a paper setting on the emulated backend where one stage is truly
 * slower than the planner was told, run side by side in one JVM with the static plan ({@code replan off}) and
 * with continuous re-planning: both jobs at the same time, over rounds, after one uncounted warm-up round. The
 * steady state is the iterations after the re-planned runs' last swap and after the first third (the same
 * iterations of both modes); the measured throughput gain is set beside the gain the swaps predicted (the
 * simulator under the measured costs) and beside the ideal one: the static plan and the plan zb-auto makes from
 * the true costs, both simulated under the true costs (their cost, the longest stage span, as post-validation
 * overlaps iterations). The command is
 * {@code zbpp bench replan} ({@code io.zbpp.cli.BenchReplanCommand}).
 */
public final class ReplanBench {
  private ReplanBench() {}

  /**
   * What to run.
   *
   * @param slowStage the stage that is truly {@code slowFactor} times slower than the planner was told
   * @param memLimitFactor the job's memory limit as K·p·M_B; 0 for none
   * @param thresholdPercent the re-planned run's {@code replanThreshold}; 0: the default
   */
  public record Setup(PaperSetting setting, String schedule, double timeScale, int iterations, int repeat,
      int slowStage, double slowFactor, double memLimitFactor, double thresholdPercent) {}

  /** One run: steady mean iteration time over {@code from} to the end, and the swaps. */
  public record Run(String mode, List<Double> iterationMillis, List<Replan> replans) {
    /** The mean iteration time from iteration {@code from} on. */
    public double steadyMillis(int from) {
      return iterationMillis.subList(from, iterationMillis.size()).stream().mapToDouble(Double::doubleValue)
          .average().orElse(Double.NaN);
    }
  }

  /**
   * Both modes' runs over the rounds and the simulator's prediction.
   *
   * @param staticMillis the static runs' steady iteration time, the median over the rounds
   * @param replanMillis the re-planned runs', likewise
   * @param measuredGain re-planning's throughput gain: per round static / re-planned iteration time, the median
   *     over the rounds, − 1 (a round whose two jobs met a burst of load does not sway it)
   * @param predictedGain what the swaps made predicted: per re-planned run the product of old / new predicted
   *     time over its swaps, the median over the rounds, − 1
   * @param idealGain the simulator under the true costs: the plan from the told costs against the plan from the
   *     true ones (what a re-planner that measured without noise would get)
   */
  public record Result(List<Run> staticRuns, List<Run> replanRuns, int steadyFrom, double staticMillis,
      double replanMillis, double measuredGain, double predictedGain, double idealGain) {}

  public static String header(Setup s, long overshootNanos) {
    PaperSetting ps = s.setting();
    return String.format(Locale.ROOT, "%s %s, stage %d truly %.2fx slower than told, memory limit %s; times x%.3f: "
        + "T_F %.3f ms, T_B %.3f, T_W %.3f; park overshoot %d us; %d iterations x %d rounds", s.schedule(),
        ps.label(), s.slowStage(), s.slowFactor(), s.memLimitFactor() > 0 ? s.memLimitFactor() + "·p·M_B" : "none",
        s.timeScale(), ps.tf() * s.timeScale(), ps.tb() * s.timeScale(), ps.tw() * s.timeScale(),
        overshootNanos / 1000, s.iterations(), s.repeat());
  }

  /**
   * Runs both modes {@code repeat} times, at the same time (two jobs side by side, each in its own actor system,
   * so both see the same load on the machine), the two systems swapping modes every round.
   */
  public static Result compare(Setup s) {
    List<Run> fixed = new ArrayList<>();
    List<Run> replanned = new ArrayList<>();
    try (LocalTraining a = LocalTraining.open(false); LocalTraining b = LocalTraining.open(false)) {
      sideBySide(a, spec(s, false), b, spec(s, false)); // warm-up, not counted: first jobs run colder
      for (int round = 0; round < s.repeat(); round++) {
        boolean swapped = round % 2 == 1;
        TrainReport[] r = sideBySide(swapped ? b : a, spec(s, false), swapped ? a : b, spec(s, true));
        fixed.add(new Run("off", r[0].iterationMillis(), r[0].replans()));
        replanned.add(new Run("continuous", r[1].iterationMillis(), r[1].replans()));
      }
    }
    // the steady state: after every round's last swap (whose iteration starts from drained stages), and never
    // in the first third (JIT, first allocations)
    int from = Math.max(s.iterations() / 3, 1 + replanned.stream().flatMap(r -> r.replans().stream())
        .mapToInt(Replan::iteration).max().orElse(0));
    from = Math.min(from, s.iterations() - 1);
    int steady = from;
    double[] ratios = new double[fixed.size()];
    for (int i = 0; i < ratios.length; i++) {
      ratios[i] = fixed.get(i).steadyMillis(steady) / replanned.get(i).steadyMillis(steady);
    }
    double[] predicted = replanned.stream().mapToDouble(r -> r.replans().stream()
        .mapToDouble(p -> p.oldPredictedMs() / p.newPredictedMs()).reduce(1, (x, y) -> x * y)).toArray();
    return new Result(fixed, replanned, steady, median(fixed, steady), median(replanned, steady),
        median(ratios) - 1, median(predicted) - 1, idealGain(s));
  }

  private static double median(List<Run> runs, int from) {
    return median(runs.stream().mapToDouble(r -> r.steadyMillis(from)).toArray());
  }

  private static double median(double[] v) {
    double[] x = v.clone();
    java.util.Arrays.sort(x);
    int n = x.length;
    return n % 2 == 1 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
  }

  private static TrainReport[] sideBySide(LocalTraining a, TrainSpec first, LocalTraining b, TrainSpec second) {
    CompletableFuture<TrainReport> one = CompletableFuture.supplyAsync(() -> a.train(first));
    TrainReport two = b.train(second);
    return new TrainReport[] {one.join(), two};
  }

  /** Per round, the static run's and the re-planned run's steady iteration time, ms. */
  public static List<double[]> rounds(Result r) {
    List<double[]> out = new ArrayList<>();
    for (int i = 0; i < r.staticRuns().size(); i++) {
      out.add(new double[] {r.staticRuns().get(i).steadyMillis(r.steadyFrom()),
          r.replanRuns().get(i).steadyMillis(r.steadyFrom())});
    }
    return out;
  }

  /**
   * The simulator's throughput gain under the true costs: the plan from the told costs against the plan from
   * the true ones (cost: the longest stage span).
   */
  static double idealGain(Setup s) {
    CostModel told = told(s);
    CostModel truth = told.toBuilder().tf(truth(s, s.setting().tf())).tb(truth(s, s.setting().tb()))
        .tw(truth(s, s.setting().tw())).build();
    Plan fixed = Schedules.byName(s.schedule()).plan(s.setting().shape(), told);
    Plan replanned = Schedules.byName(s.schedule()).plan(s.setting().shape(), truth);
    return Simulator.simulate(fixed, truth).cost() / Simulator.simulate(replanned, truth).cost() - 1;
  }

  private static CostModel told(Setup s) {
    CostModel c = s.setting().costModel();
    return c.withMemLimit(CostModels.memLimit(c, 0, s.memLimitFactor()));
  }

  private static double[] truth(Setup s, double told) {
    double[] t = new double[s.setting().stages()];
    for (int i = 0; i < t.length; i++) {
      t[i] = told * (i == s.slowStage() ? s.slowFactor() : 1);
    }
    return t;
  }

  private static TrainSpec spec(Setup s, boolean replan) {
    PaperSetting ps = s.setting();
    double k = s.timeScale();
    TrainSpec spec = TrainSpec.builder(s.schedule(), ps.stages(), ps.microbatches()).iterations(s.iterations())
        .costs(List.of(ps.tf() * k), List.of(ps.tb() * k), List.of(ps.tw() * k), ps.comm() * k)
        .model(new ModelShape(ps.layers(), ps.hidden(), ps.heads(), PaperSetting.SEQUENCE_LENGTH,
            ps.microbatchSize()))
        .memLimitFactor(s.memLimitFactor()).postValidation(true).build();
    spec = spec.withSpec(spec.job().spec().toBuilder().setReplan(replan ? "continuous" : "off")
        .setReplanThreshold(s.thresholdPercent()).build());
    RunnerSpec base = RunnerSpec.of(ps.model().toLowerCase(Locale.ROOT), Backend.EMULATED, 1, ps.microbatches(),
        ps.microbatchSize(), ps.stages());
    return spec.withModelSpec(EmulatedBackend.model(base, scaled(truth(s, ps.tf()), k), scaled(truth(s, ps.tb()), k),
        scaled(truth(s, ps.tw()), k)));
  }

  private static List<Double> scaled(double[] v, double k) {
    List<Double> out = new ArrayList<>();
    for (double x : v) {
      out.add(x * k);
    }
    return out;
  }
}
