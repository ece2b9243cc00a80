package io.zbpp.schedule.algorithms;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Placement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * List scheduling of split-backward plans (F, B, W): replays the pipeline in time order with the given
 * costs, exactly as the {@link io.zbpp.schedule.Simulator} will run it (ASAP, T_comm on cross-stage edges, a
 * chunk pass on a stage with v chunks takes T/v), and whenever a stage is free lets a {@link Policy} pick one
 * of the passes whose dependencies are done. The resulting per-stage order is the plan.
 *
 * <p>Invariants: passes of one kind run per chunk in microbatch order, and W runs in the order of the B's
 * (so also per chunk in microbatch order). A plan built here never deadlocks: every pass was started in the
 * replay after its dependencies ended, and the replay always progresses — when no stage has a pass that its
 * policy allows (e.g. every ready F is refused by an in-flight cap), the caps are lifted for that one step.
 * Under equal costs the policies used by the zero-bubble schedules never need that.
 */
final class GreedyPlanner {
  /** How a schedule chooses among a stage's ready passes. */
  interface Policy {
    /** Whether the stage may start this pass now; refusing an F caps the activations held. */
    boolean allows(Instruction pass, StageView view);

    /** Preference among the passes ready at the decision time; smaller runs first. */
    int rank(Instruction pass, StageView view);
  }

  /** What a policy may read of one stage: counts of passes done so far. */
  interface StageView {
    int stage();

    /** Forward chunk passes minus W chunk passes done on this stage: the activations it still holds. */
    int inFlight();

    int forwards(int chunk);

    int backwards(int chunk);
  }

  private final Placement placement;
  private final int m;
  private final CostModel costs;
  private final Policy policy;
  private final int chunks;
  private final double[] endF;
  private final double[] endB;
  private final int[] nextF;
  private final int[] nextB;
  private final State[] stages;

  private GreedyPlanner(Placement placement, int m, CostModel costs, Policy policy) {
    this.placement = placement;
    this.m = m;
    this.costs = costs;
    this.policy = policy;
    this.chunks = placement.chunks();
    this.endF = nan(chunks * m);
    this.endB = nan(chunks * m);
    this.nextF = new int[chunks];
    this.nextB = new int[chunks];
    this.stages = new State[placement.stages()];
    for (int s = 0; s < stages.length; s++) {
      stages[s] = new State(s);
    }
    for (int c = 0; c < chunks; c++) {
      stages[placement.stageOf(c)].chunks.add(c);
    }
  }

  /** The per-stage pass order for m microbatches on this placement. */
  static List<List<Instruction>> plan(Placement placement, int m, CostModel costs, Policy policy) {
    return new GreedyPlanner(placement, m, costs, policy).run();
  }

  private List<List<Instruction>> run() {
    int total = 3 * chunks * m;
    for (int done = 0; done < total; done++) {
      Choice best = pick(true);
      if (best == null) {
        best = pick(false);
      }
      if (best == null) {
        throw new IllegalStateException("greedy planner found no runnable pass; this is a bug");
      }
      execute(best);
    }
    List<List<Instruction>> out = new ArrayList<>();
    for (State st : stages) {
      out.add(st.order);
    }
    return out;
  }

  private record Choice(Instruction pass, double start) {}

  /** The stage that can start a pass earliest, and that pass; ties go to the lower stage. */
  private Choice pick(boolean capped) {
    Choice best = null;
    for (State st : stages) {
      Choice c = choose(st, capped);
      if (c != null && (best == null || c.start < best.start)) {
        best = c;
      }
    }
    return best;
  }

  private Choice choose(State st, boolean capped) {
    List<Instruction> cands = new ArrayList<>(3);
    List<Double> ready = new ArrayList<>(3);
    candidates(st, cands, ready);
    double when = Double.POSITIVE_INFINITY;
    for (int k = 0; k < cands.size(); k++) {
      if (!capped || policy.allows(cands.get(k), st)) {
        when = Math.min(when, ready.get(k));
      }
    }
    if (when == Double.POSITIVE_INFINITY) {
      return null;
    }
    when = Math.max(when, st.free);
    Instruction pick = null;
    for (int k = 0; k < cands.size(); k++) {
      Instruction in = cands.get(k);
      if (ready.get(k) <= when && (!capped || policy.allows(in, st))
          && (pick == null || policy.rank(in, st) < policy.rank(pick, st))) {
        pick = in;
      }
    }
    return new Choice(pick, when);
  }

  /** The next F and B of each chunk on the stage, and the oldest pending W, whose dependencies have ended. */
  private void candidates(State st, List<Instruction> cands, List<Double> ready) {
    int s = st.stage;
    for (int c : st.chunks) {
      int j = nextF[c];
      if (j < m) {
        double r = c == 0 ? 0 : arrival(endF[(c - 1) * m + j], c - 1, s);
        add(cands, ready, new Instruction(s, Op.F, j, c), r);
      }
      j = nextB[c];
      if (j < nextF[c]) {
        double r = c == chunks - 1 ? endF[c * m + j] : arrival(endB[(c + 1) * m + j], c + 1, s);
        add(cands, ready, new Instruction(s, Op.B, j, c), r);
      }
    }
    int[] w = st.pendingW.peekFirst();
    if (w != null) {
      add(cands, ready, new Instruction(s, Op.W, w[1], w[0]), endB[w[0] * m + w[1]]);
    }
  }

  private double arrival(double end, int fromChunk, int stage) {
    return placement.stageOf(fromChunk) == stage ? end : end + costs.comm();
  }

  private static void add(List<Instruction> cands, List<Double> ready, Instruction in, double r) {
    if (!Double.isNaN(r)) {
      cands.add(in);
      ready.add(r);
    }
  }

  private void execute(Choice choice) {
    Instruction in = choice.pass;
    State st = stages[in.stage()];
    double end = choice.start + costs.time(in.op(), in.stage()) / placement.chunksPerStage();
    int k = in.chunk() * m + in.microbatch();
    switch (in.op()) {
      case F -> {
        endF[k] = end;
        nextF[in.chunk()]++;
        st.inFlight++;
      }
      case B -> {
        endB[k] = end;
        nextB[in.chunk()]++;
        st.pendingW.addLast(new int[] {in.chunk(), in.microbatch()});
      }
      case W -> {
        st.pendingW.removeFirst();
        st.inFlight--;
      }
      case BW -> throw new IllegalStateException("the greedy planner splits every backward");
    }
    st.free = end;
    st.order.add(in);
  }

  private static double[] nan(int n) {
    double[] a = new double[n];
    Arrays.fill(a, Double.NaN);
    return a;
  }

  private final class State implements StageView {
    final int stage;
    final List<Integer> chunks = new ArrayList<>(2);
    final ArrayDeque<int[]> pendingW = new ArrayDeque<>();
    final List<Instruction> order = new ArrayList<>();
    double free;
    int inFlight;

    State(int stage) {
      this.stage = stage;
    }

    @Override
    public int stage() {
      return stage;
    }

    @Override
    public int inFlight() {
      return inFlight;
    }

    @Override
    public int forwards(int chunk) {
      return nextF[chunk];
    }

    @Override
    public int backwards(int chunk) {
      return nextB[chunk];
    }
  }
}
