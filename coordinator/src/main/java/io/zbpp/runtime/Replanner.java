package io.zbpp.runtime;

import io.zbpp.compile.Compiler;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.Replan;
import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Scheduler;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.Timeline;
import io.zbpp.schedule.render.Fmt;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Decides, from a job's measured costs, whether another plan would run faster (docs/replan.md). After each
 * completed iteration the coordinator asks {@link #consider}. Once the estimates hold a full window (the
 * first iteration, and the first after a swap, left out) it looks: when they moved since the last look it
 * re-runs the job's automatic scheduler on the measured costs (the job's memory limit and memory deltas
 * unchanged) and simulates the new plan and the running one under those same costs; the new plan is a
 * candidate when it differs and is predicted faster by at least the policy's threshold. {@value #CONFIRM}
 * looks in a row with a candidate make a {@link Swap} (the latest candidate). The coordinator swaps at the
 * next iteration boundary and calls {@link #swapped}: the estimates' window restarts, so a new plan stays for
 * at least a window and a confirmation, and swapping back needs the threshold's gain again.
 * {@link ReplanPolicy.Mode#ONCE} decides on its first look (confirmed when it finds a candidate) and never
 * looks again.
 *
 * <p>Units: measured times are ms of wall time; the planner's costs may be in any unit (the emulated backend
 * sleeps them times a time scale). The ratio between the two is taken as the median over the stages of
 * measured / planned work, which shrugs off a minority of stages that really are slower; a communication time
 * that was not measured is the planner's times that ratio. Not thread-safe: the coordinator's actor owns it.
 */
final class Replanner {
  /** A stage's estimate must move by more than this (relative) since the last look to look again. */
  static final double MOVED = 0.02;
  /** Looks in a row that must find a gain before a swap: one odd window does not swap plans. */
  static final int CONFIRM = 2;
  /**
   * A stage's measured work within this (relative) of the running plan's basis is taken as the basis's; only a
   * stage off by more counts, and is named in a swap's reason.
   */
  static final double NOISE = 0.05;

  private final ReplanPolicy policy;
  private final Scheduler scheduler;
  private final Shape shape;
  private final OptimizerOptions.Check check;
  private final boolean measureComm;
  private final boolean overlapped;
  private Plan current;
  /** The costs the running plan was made for (the planner's at first, then the measured ones it was chosen by). */
  private CostModel basis;
  private CostModel lastLook;
  /** The last look's proposal (null: none), and for how many looks in a row there was one. */
  private Swap candidate;
  private int streak;
  /** ONCE: decided. */
  private boolean done;

  /** A proposed swap: the compiled new plan and its report (its iteration set by the coordinator). */
  record Swap(Compiler.Compiled compiled, CostModel measured, Replan report) {}

  /**
   * @param told the job's cost model, the running plan's basis
   * @param measureComm whether the measured edge times are meaningful: stages on one clock, and iterations that
   *     do not overlap (where they do, a receiver still busy with the previous iteration makes every gap long)
   * @param overlapped whether iterations overlap (the coordinator issues the next one ahead)
   */
  Replanner(ReplanPolicy policy, Scheduler scheduler, Shape shape, OptimizerOptions.Check check, Plan current,
      CostModel told, boolean measureComm, boolean overlapped) {
    this.policy = policy;
    this.scheduler = scheduler;
    this.shape = shape;
    this.check = check;
    this.measureComm = measureComm;
    this.overlapped = overlapped;
    this.current = current;
    this.basis = told;
  }

  ReplanPolicy policy() {
    return policy;
  }

  /** The swap to make at the next iteration boundary, if any; {@code nextIteration} is the first to run it. */
  Optional<Swap> consider(CostEstimates estimates, int nextIteration) {
    if (policy.mode() == ReplanPolicy.Mode.OFF || done || estimates.samples() < estimates.window()
        || !estimates.measuredAll()) {
      return Optional.empty();
    }
    CostModel measured = measured(estimates);
    if (lastLook == null || moved(lastLook, measured)) {
      lastLook = measured;
      candidate = propose(measured, nextIteration);
    }
    streak = candidate == null ? 0 : streak + 1;
    // ONCE decides on its first look, or on the look that confirms a first positive one
    done = policy.mode() == ReplanPolicy.Mode.ONCE && (candidate == null || streak >= CONFIRM);
    if (streak < CONFIRM) {
      return Optional.empty();
    }
    Replan r = candidate.report();
    return Optional.of(new Swap(candidate.compiled(), candidate.measured(),
        new Replan(nextIteration, r.oldPredictedMs(), r.newPredictedMs(), r.reason())));
  }

  /** The scheduler's plan for {@code measured}, when it differs and is predicted faster by the threshold. */
  private Swap propose(CostModel measured, int nextIteration) {
    Plan next = scheduler.plan(shape, measured);
    if (next.equals(current)) {
      return null;
    }
    double oldMs = predicted(current, measured);
    double newMs = predicted(next, measured);
    if (newMs > oldMs * (1 - policy.threshold())) {
      return null;
    }
    return new Swap(Compiler.compile(next, measured, check), measured,
        new Replan(nextIteration, oldMs, newMs, reason(measured)));
  }

  /**
   * The simulator's iteration time of {@code plan}: its cost (the longest stage span) where iterations overlap
   * (post-validation lets each stage run into the next iteration on its own, so the busiest stage sets the
   * pace), else its makespan (each iteration starts when the previous one ended everywhere).
   */
  double predicted(Plan plan, CostModel costs) {
    Timeline t = Simulator.simulate(plan, costs);
    return overlapped ? t.cost() : t.makespan();
  }

  /** The swap took effect: its plan runs, and the estimates start a new window. */
  void swapped(Swap s, CostEstimates estimates) {
    current = s.compiled().plan();
    basis = s.measured();
    lastLook = null;
    candidate = null;
    streak = 0;
    estimates.restart();
  }

  /**
   * The measured cost model, in ms: the planner's memory deltas and limit, the measured or rescaled comm. A
   * stage whose measured work is within {@value #NOISE} of the basis's (in ms) keeps the basis's times in ms:
   * differences that small are noise of the measurement (sleep overshoot, a neighbour's burst), and planning
   * from them would trade the plan for one fitted to the noise.
   */
  CostModel measured(CostEstimates estimates) {
    CostModel m = estimates.apply(basis, measureComm);
    double unit = unit(basis, m);
    double[][] t = new double[3][m.stages()];
    for (int s = 0; s < m.stages(); s++) {
      boolean noise = Math.abs(m.work(s) / (basis.work(s) * unit) - 1) <= NOISE;
      t[0][s] = noise ? basis.tf(s) * unit : m.tf(s);
      t[1][s] = noise ? basis.tb(s) * unit : m.tb(s);
      t[2][s] = noise ? basis.tw(s) * unit : m.tw(s);
    }
    CostModel.Builder b = m.toBuilder().tf(t[0]).tb(t[1]).tw(t[2]);
    return measureComm && estimates.hasComm() ? b.build() : b.comm(basis.comm() * unit).build();
  }

  /** Measured / planned work, the median over the stages: the planner's unit in ms. */
  static double unit(CostModel planned, CostModel measured) {
    double[] r = new double[planned.stages()];
    for (int s = 0; s < r.length; s++) {
      r[s] = planned.work(s) > 0 ? measured.work(s) / planned.work(s) : 1;
    }
    Arrays.sort(r);
    return r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
  }

  private static boolean moved(CostModel before, CostModel now) {
    for (int s = 0; s < now.stages(); s++) {
      if (off(before.tf(s), now.tf(s)) > MOVED || off(before.tb(s), now.tb(s)) > MOVED
          || off(before.tw(s), now.tw(s)) > MOVED) {
        return true;
      }
    }
    return off(before.comm(), now.comm()) > MOVED;
  }

  private static double off(double a, double b) {
    return a == b ? 0 : Math.abs(b - a) / Math.max(Math.abs(a), Math.abs(b));
  }

  /** The stages whose measured work differs from the running plan's basis, in the basis's unit. */
  private String reason(CostModel measured) {
    double unit = unit(basis, measured);
    List<String> named = new ArrayList<>();
    for (int s = 0; s < measured.stages(); s++) {
      double ratio = measured.work(s) / (basis.work(s) * unit);
      if (Math.abs(ratio - 1) > NOISE) {
        named.add("stage " + s + " " + Fmt.num(Math.round(ratio * 100) / 100.0) + "x");
      }
    }
    if (named.isEmpty()) {
      List<String> work = new ArrayList<>();
      for (int s = 0; s < measured.stages(); s++) {
        work.add(Fmt.num(measured.work(s)));
      }
      return "measured F+B+W per stage [" + String.join(", ", work) + "] ms, comm " + Fmt.num(measured.comm()) + " ms";
    }
    return "measured work against the plan's: " + String.join(", ", named);
  }
}
