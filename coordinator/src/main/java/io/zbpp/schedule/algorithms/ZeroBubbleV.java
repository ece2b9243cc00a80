package io.zbpp.schedule.algorithms;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.InvalidPlanException;
import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Placement;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Scheduler;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Simulator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * ZB-V (docs/design.md §5): 2p chunks in a V ({@link Placement#vShape}); worker i holds chunk i of the way down
 * ("F", "b" below) and chunk 2p−1−i of the way up ("f", "B"), so each microbatch starts and ends on worker
 * 0. B and W are split. Worker i's order, with every count capped by m:
 * <ol>
 *   <li>warm-up: 2p−1−2i down-forwards F, then i pairs (f, F), then one f — 2p chunk activations, i.e.
 *       p·M_B;</li>
 *   <li>ramp: p−1−i units (B, W, f) while the down-backwards are not yet due;</li>
 *   <li>steady: units (B, W, F, b, w, f) until the up-forwards run out (F dropped once exhausted);</li>
 *   <li>cool-down: B and b alternate while B's remain; then one pending W before each remaining b; then the
 *       pending W's in the order of their backwards.</li>
 * </ol>
 * Each W follows its own backward in the ramp and steady phases, so the activations held never exceed the
 * warm-up's 2p chunk activations: peak p·M_B per worker with ΔM(B) ≤ 0 (docs/design.md §5). With T_F=T_B=T_W, no
 * communication and m ≥ 2p the bubble is zero (cost = m·(T_F+T_B+T_W)). For equal costs this is the order
 * the reference implementation's (cost-driven) V-schedule heuristic settles on; the two agree pass for pass
 * for every p ≤ 6 and m ∈ {2p, 2p+1, 3p, 4p} that we compared.
 *
 * <p>The order does not depend on the costs, and it runs without deadlock for every p ≤ 32 and m ≤ 10p
 * (checked exhaustively). As a guarantee beyond that range, a phase order that would deadlock is replaced by
 * the {@link GreedyPlanner} replay (B first, then F up, F down, W last; F refused beyond 2p activations),
 * which is valid by construction. Valid for every p, m ≥ 1. Neither the cost model's memory limit nor
 * {@code shape.chunksPerStage()} is consulted: ZB-V always has two chunks per worker.
 */
public final class ZeroBubbleV implements Scheduler {
  @Override
  public String name() {
    return "zb-v";
  }

  @Override
  public Plan plan(Shape shape, CostModel costs) {
    Plan phases = phases(shape);
    return deadlocks(phases) ? greedy(shape, costs) : phases;
  }

  /** The phase order of every worker, whatever the costs. */
  Plan phases(Shape shape) {
    int p = shape.stages();
    int m = shape.microbatches();
    List<List<Instruction>> stages = new ArrayList<>();
    for (int i = 0; i < p; i++) {
      stages.add(new Worker(i, p, m).order());
    }
    return new Plan(name(), m, Placement.vShape(p), stages);
  }

  /** The fallback: a replay of the pipeline with the given costs, valid by construction. */
  Plan greedy(Shape shape, CostModel costs) {
    int p = shape.stages();
    Placement placement = Placement.vShape(p);
    return new Plan(name(), shape.microbatches(), placement,
        GreedyPlanner.plan(placement, shape.microbatches(), costs, new GreedyV(p)));
  }

  /** Whether the plan cannot run to the end; independent of the costs, so unit costs decide it. */
  private static boolean deadlocks(Plan plan) {
    try {
      Simulator.simulate(plan, CostModel.uniform(plan.stageCount(), 1, 1, 1, 0));
      return false;
    } catch (InvalidPlanException e) {
      return true;
    }
  }

  /** Builds one worker's order phase by phase; every emit is skipped once its pass kind is exhausted. */
  private static final class Worker {
    private final int i;
    private final int p;
    private final int m;
    private final int down;
    private final int up;
    private final List<Instruction> ops = new ArrayList<>();
    private final ArrayDeque<Instruction> pendingW = new ArrayDeque<>();
    private int fDown;
    private int fUp;
    private int bUp;
    private int bDown;

    Worker(int i, int p, int m) {
      this.i = i;
      this.p = p;
      this.m = m;
      this.down = i;
      this.up = 2 * p - 1 - i;
    }

    List<Instruction> order() {
      for (int k = 0; k < 2 * p - 1 - 2 * i; k++) {
        forwardDown();
      }
      for (int k = 0; k < i; k++) {
        forwardUp();
        forwardDown();
      }
      forwardUp();
      for (int k = 0; k < p - 1 - i; k++) {
        backwardUp();
        weight();
        forwardUp();
      }
      while (fUp < m) {
        backwardUp();
        weight();
        forwardDown();
        backwardDown();
        weight();
        forwardUp();
      }
      coolDown();
      return ops;
    }

    private void coolDown() {
      while (bUp < m) {
        backwardUp();
        backwardDown();
      }
      while (bDown < m) {
        weight();
        backwardDown();
      }
      while (!pendingW.isEmpty()) {
        weight();
      }
    }

    private void forwardDown() {
      if (fDown < m) {
        ops.add(new Instruction(i, Op.F, fDown++, down));
      }
    }

    private void forwardUp() {
      if (fUp < m && fUp < fDown) {
        ops.add(new Instruction(i, Op.F, fUp++, up));
      }
    }

    private void backwardUp() {
      if (bUp < fUp) {
        pendingW.addLast(new Instruction(i, Op.W, bUp, up));
        ops.add(new Instruction(i, Op.B, bUp++, up));
      }
    }

    private void backwardDown() {
      if (bDown < bUp) {
        pendingW.addLast(new Instruction(i, Op.W, bDown, down));
        ops.add(new Instruction(i, Op.B, bDown++, down));
      }
    }

    private void weight() {
      if (!pendingW.isEmpty()) {
        ops.add(pendingW.removeFirst());
      }
    }
  }

  /** The fallback's choice: backwards first, then the up-forward, the down-forward, W last; 2p activations. */
  private record GreedyV(int p) implements GreedyPlanner.Policy {
    @Override
    public boolean allows(Instruction pass, GreedyPlanner.StageView view) {
      return switch (pass.op()) {
        case F -> view.inFlight() + (pass.chunk() < p ? 2 : 1) <= 2 * p;
        case B, W, BW -> true;
      };
    }

    @Override
    public int rank(Instruction pass, GreedyPlanner.StageView view) {
      return switch (pass.op()) {
        case B, BW -> 0;
        case F -> pass.chunk() < p ? 2 : 1;
        case W -> 3;
      };
    }
  }
}
