package io.zbpp.schedule.auto;

import io.zbpp.schedule.Op;

/**
 * One run of the automatic zero-bubble heuristic (docs/design.md §4, Sec. 3 and App. G of the paper) for one
 * combination of {@link Choices}. The behaviour follows the reference implementation's heuristic
 * (sail-sg/zero-bubble-pipeline-parallelism), re-stated here:
 * <ol>
 *   <li><b>Warm-up</b> (microbatch 0): every stage runs F0; then, from the last stage back, each stage takes
 *       as many more forwards as the memory limit allows while it would otherwise idle until its first
 *       gradient arrives; stage i then keeps strictly more warm-up forwards than stage i+1 (or as many, once
 *       all m are taken, or one); then the B0 wave runs from the last stage to the first.</li>
 *   <li><b>Rounds</b> (microbatch i = 1…m−1): each stage that has forwards left runs one, except that with
 *       {@code prioritizeB} a stage two or more forwards ahead of the next may skip it (a stage whose
 *       successor skips skips too, so stage i never falls behind stage i+1); then the Bi wave runs from
 *       the last stage back. Before each F or B, W's are inserted: while memory would exceed the limit;
 *       into every gap before the pass's input arrives that is at least T_W; and into a shorter gap when
 *       leaving it would raise the stage's bubble above the largest among stages (or always, with
 *       {@code greedyW}). Stage 0 runs all its pending W's before each B once its forwards are done.</li>
 *   <li><b>Drain</b>: the remaining W's, one by one.</li>
 * </ol>
 * Deviations from the reference (where the reference yields a complete plan and no running memory lies
 * within the slack above the limit, the orders are identical, pass for pass):
 * <ul>
 *   <li>the warm-up clamp "stage i+1 takes no more warm-up forwards than stage i" also holds when stage
 *       i+1 would take all m. Without it (heterogeneous stages only; ~10% of random heterogeneous cases)
 *       the reference times a forward against an input not yet scheduled and leaves stage i's last
 *       forwards out of the plan, or deadlocks;</li>
 *   <li>memory is compared with the {@link io.zbpp.schedule.Validator}'s relative slack (see
 *       {@link PartialPlan#limit()}), so deltas that cancel only up to rounding do not fail;</li>
 *   <li>the warm-up also reserves room for a positive ΔM(B) (the paper's ΔM(B) is negative); a pass that
 *       cannot fit even after all pending W's ends the run with {@link CannotFit} instead of an error.</li>
 * </ul>
 */
final class Heuristic {
  private final PartialPlan plan;
  private final Choices choices;
  private final int p;
  private final int m;

  private Heuristic(PartialPlan plan, Choices choices) {
    this.plan = plan;
    this.choices = choices;
    this.p = plan.stages();
    this.m = plan.microbatches();
  }

  /** Runs the heuristic into an empty partial plan and returns it filled. */
  static PartialPlan run(PartialPlan empty, Choices choices) {
    Heuristic h = new Heuristic(empty, choices);
    h.warmUp();
    for (int i = 1; i < h.m; i++) {
      h.round(i);
    }
    h.drain();
    return empty;
  }

  private void warmUp() {
    for (int s = 0; s < p; s++) {
      plan.append(s, Op.F);
    }
    int[] extra = warmUpForwards();
    for (int s = 0; s < p; s++) {
      for (int k = 0; k < extra[s]; k++) {
        plan.append(s, Op.F);
      }
    }
    for (int s = p - 1; s >= 0; s--) {
      makeRoom(s, Op.B);
      plan.append(s, Op.B);
    }
  }

  /**
   * How many forwards after F0 each stage runs before B0: walking from the last stage back, the estimated
   * arrival of B0's gradient bounds how long a stage may keep forwarding without idling.
   */
  private int[] warmUpForwards() {
    int[] extra = new int[p];
    double arrival = plan.endF(p - 1, 0) + plan.time(Op.B, p - 1);
    for (int s = p - 2; s >= 0; s--) {
      double room = plan.limit() - Math.max(0, plan.delta(Op.B, s));
      double memory = plan.memory(s);
      double clock = plan.clock(s);
      double f = plan.time(Op.F, s);
      while (1 + extra[s] < m && memory + plan.delta(Op.F, s) <= room) {
        boolean stop = choices.bubbleBeforeFirstB() ? clock + f > arrival + plan.comm() : clock >= arrival + plan.comm();
        if (stop) {
          break;
        }
        memory += plan.delta(Op.F, s);
        clock += f;
        extra[s]++;
      }
      arrival = Math.max(clock, arrival + plan.comm()) + plan.time(Op.B, s);
    }
    for (int s = 1; s < p; s++) {
      while (extra[s] > 0 && extra[s] >= extra[s - 1] && 1 + extra[s] < m) {
        extra[s]--;
      }
      extra[s] = Math.min(extra[s], extra[s - 1]);
    }
    return extra;
  }

  private void round(int i) {
    boolean[] forward = new boolean[p];
    for (int s = 0; s < p; s++) {
      forward[s] = plan.count(Op.F, s) < m && !skipsForward(s);
    }
    for (int s = p - 2; s >= 0; s--) {
      forward[s] &= forward[s + 1];
    }
    for (int s = 0; s < p; s++) {
      if (forward[s]) {
        makeRoom(s, Op.F);
        if (s > 0) {
          fillGap(s, plan.endF(s - 1, plan.count(Op.F, s)) + plan.comm());
        }
        plan.append(s, Op.F);
      }
    }
    for (int s = p - 1; s >= 0; s--) {
      makeRoom(s, Op.B);
      if (s < p - 1) {
        fillGap(s, plan.endB(s + 1, i) + plan.comm());
      }
      if (s == 0 && plan.count(Op.F, 0) == m) {
        while (plan.hasPendingW(0)) {
          plan.append(0, Op.W);
        }
      }
      plan.append(s, Op.B);
    }
  }

  /**
   * With {@code prioritizeB}: whether a stage at least two forwards ahead of the next stage leaves its
   * forward for a later round. It keeps the forward when the next stage's next F+B would still be running
   * by the time this forward (and the W's it needs for memory) is done; otherwise it skips, unless the
   * idle slot this leaves would push the stage above the largest bubble among stages.
   */
  private boolean skipsForward(int s) {
    if (!choices.prioritizeB() || s + 1 >= p || plan.count(Op.F, s) < plan.count(Op.F, s + 1) + 2) {
      return false;
    }
    double nextDone = plan.clock(s + 1) + plan.time(Op.F, s + 1) + plan.time(Op.B, s + 1) + plan.comm();
    if (plan.clock(s) >= nextDone) {
      return true;
    }
    double wTime = 0;
    double memory = plan.memory(s) + plan.delta(Op.F, s);
    for (int w = plan.count(Op.W, s); memory > plan.limit() && w < plan.count(Op.B, s); w++) {
      wTime += plan.time(Op.W, s);
      memory += plan.delta(Op.W, s);
    }
    if (plan.clock(s) + plan.time(Op.F, s) + wTime <= nextDone) {
      return false;
    }
    return nextDone - plan.clock(s) <= plan.maxBubble() - plan.bubble(s);
  }

  /** Runs pending W's until the next pass of that kind fits under the memory limit. */
  private void makeRoom(int s, Op next) {
    while (plan.memory(s) + plan.delta(next, s) > plan.limit()) {
      if (!plan.hasPendingW(s)) {
        throw new CannotFit(s, next);
      }
      plan.append(s, Op.W);
    }
  }

  /**
   * Fills the idle time before a pass whose input arrives at {@code arrival}: W's that end by then, then one
   * more W into a remaining shorter gap if leaving it idle would put the stage above the largest bubble, or
   * with {@code greedyW} even if not.
   */
  private void fillGap(int s, double arrival) {
    while (plan.hasPendingW(s) && plan.clock(s) + plan.time(Op.W, s) <= arrival) {
      plan.append(s, Op.W);
    }
    if (plan.hasPendingW(s) && plan.clock(s) < arrival) {
      boolean withinLargest = arrival - plan.clock(s) <= plan.maxBubble() - plan.bubble(s);
      if (!withinLargest || choices.greedyW()) {
        plan.append(s, Op.W);
      }
    }
  }

  private void drain() {
    for (int s = 0; s < p; s++) {
      while (plan.count(Op.W, s) < m) {
        plan.append(s, Op.W);
      }
    }
  }

  /** A pass that cannot fit under the memory limit even with every pending W run first. */
  static final class CannotFit extends RuntimeException {
    CannotFit(int stage, Op op) {
      super("stage " + stage + " cannot fit its next " + op + " under the memory limit", null, false, false);
    }
  }
}
