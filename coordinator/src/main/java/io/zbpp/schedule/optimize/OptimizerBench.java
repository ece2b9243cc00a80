package io.zbpp.schedule.optimize;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.Validator;
import io.zbpp.schedule.algorithms.OneFOneB;
import io.zbpp.schedule.paper.PaperSetting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The optimizer's measurements (not a test): prints one Markdown table row per instance — 1F1B's cost, the
 * optimizer's constructive plan, the optimized cost, the proven bound, the gap, the optimized bubble rate,
 * the status and the wall time. Warm start: 1F1B (valid from p·M_B up).
 *
 * <p>Usage: {@code OptimizerBench [--time-limit S] [--workers N] SECTION...} with sections {@code paper}
 * (twelve settings × {p, 2p}·M_B), {@code paper-m3p} (the four m = 3p settings only), {@code intermediate}
 * (1.25/1.5/1.75 × p·M_B for 1.5B m=24 and 28.3B m=96), {@code hetero} (1.5B m=24 with first and last stage
 * 1.3× slower, or stage 3 1.3× slower, under 1, 1.5 and 2 × p·M_B), {@code largest} (28.3B m=256 at p·M_B and
 * 2p·M_B, with the process's peak resident memory), {@code chunks} (a second table: ZB-V and 1F1B-I, v = 2,
 * on the twelve settings under their own peak memory, and beside ZB-V the best single-chunk plan under the same
 * limit) and {@code chunks-first} (that table's 1.5B p=8 m=24 rows only).
 */
public final class OptimizerBench {
  private OptimizerBench() {}

  public static void main(String[] args) throws Exception {
    double limit = SolverOptions.DEFAULT_TIME_LIMIT;
    int workers = 2;
    List<String> sections = new ArrayList<>();
    for (int k = 0; k < args.length; k++) {
      switch (args[k]) {
        case "--time-limit" -> limit = Double.parseDouble(args[++k]);
        case "--workers" -> workers = Integer.parseInt(args[++k]);
        default -> sections.add(args[k]);
      }
    }
    SolverOptions opts = SolverOptions.defaults().withTimeLimit(limit).withWorkers(workers);
    System.out.printf("time limit %.0f s, %d workers, %d cores%n%n", limit, workers,
        Runtime.getRuntime().availableProcessors());
    if (sections.stream().anyMatch(x -> !x.startsWith("chunks"))) {
      System.out.println("| case | limit | 1F1B | constructive | optimized | bound | gap | bubble | status | s |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|");
    }
    for (String section : sections) {
      run(section, opts);
    }
  }

  private static void run(String section, SolverOptions opts) throws Exception {
    List<PaperSetting> all = PaperSetting.all();
    switch (section) {
      case "paper" -> {
        for (PaperSetting ps : all) {
          row(ps.label(), ps.shape(), ps.costModel(), ps, 1, opts);
          row(ps.label(), ps.shape(), ps.costModel(), ps, 2, opts);
        }
      }
      case "paper-m3p" -> {
        for (PaperSetting ps : all) {
          if (ps.microbatches() == 3 * ps.stages()) {
            row(ps.label(), ps.shape(), ps.costModel(), ps, 1, opts);
            row(ps.label(), ps.shape(), ps.costModel(), ps, 2, opts);
          }
        }
      }
      case "intermediate" -> {
        for (PaperSetting ps : List.of(all.get(0), all.get(9))) {
          for (double k : new double[] {1.25, 1.5, 1.75}) {
            row(ps.label(), ps.shape(), ps.costModel(), ps, k, opts);
          }
        }
      }
      case "hetero" -> hetero(all.get(0), opts);
      case "largest" -> {
        PaperSetting ps = all.get(11);
        row(ps.label(), ps.shape(), ps.costModel(), ps, 1, opts);
        row(ps.label(), ps.shape(), ps.costModel(), ps, 2, opts);
        System.out.println("\npeak resident memory of this process: " + peakResident());
      }
      case "chunks" -> {
        chunkHeader();
        for (PaperSetting ps : all) {
          chunkRows(ps, opts);
        }
      }
      case "chunks-first" -> {
        chunkHeader();
        chunkRows(all.get(0), opts);
      }
      default -> throw new IllegalArgumentException("section [" + section
          + "]: expected paper, paper-m3p, intermediate, hetero, largest, chunks or chunks-first");
    }
  }

  private static void hetero(PaperSetting ps, SolverOptions opts) throws Exception {
    int p = ps.stages();
    double[] edges = new double[p];
    double[] middle = new double[p];
    Arrays.fill(edges, 1);
    Arrays.fill(middle, 1);
    edges[0] = 1.3;
    edges[p - 1] = 1.3;
    middle[3] = 1.3;
    for (double k : new double[] {1, 1.5, 2}) {
      row(ps.label() + " first+last 1.3x", ps.shape(), scaled(ps, edges), ps, k, opts);
      row(ps.label() + " stage 3 1.3x", ps.shape(), scaled(ps, middle), ps, k, opts);
    }
  }

  private static CostModel scaled(PaperSetting ps, double[] factor) {
    int p = ps.stages();
    double[] tf = new double[p];
    double[] tb = new double[p];
    double[] tw = new double[p];
    for (int s = 0; s < p; s++) {
      tf[s] = ps.tf() * factor[s];
      tb[s] = ps.tb() * factor[s];
      tw[s] = ps.tw() * factor[s];
    }
    return ps.costModel().toBuilder().tf(tf).tb(tb).tw(tw).build();
  }

  private static void row(String label, Shape shape, CostModel base, PaperSetting ps, double k,
      SolverOptions opts) {
    CostModel costs = base.withMemLimit(k * ps.stages() * ps.memF());
    Plan warm = new OneFOneB().plan(shape, costs);
    double oneFOneB = Simulator.simulate(warm, costs).cost();
    String constructive = Optimizer.constructive(shape, costs)
        .map(pl -> String.format("%.3f", Simulator.simulate(pl, costs).cost())).orElse("-");
    OptimizationResult r = Optimizer.optimize(shape, costs, warm, opts);
    double bubble = Math.max(0, Simulator.simulate(r.plan(), costs).bubbleRate());
    System.out.printf("| %s | %s·p·M_B | %.3f | %s | %.3f | %.3f | %.3f%% | %.4f | %s | %.1f |%n", label,
        k == Math.rint(k) ? String.valueOf((int) k) : String.valueOf(k), oneFOneB, constructive, r.cost(),
        r.lowerBound(), 100 * r.gap(), bubble, r.status(), r.solveMillis() / 1000.0);
    System.out.flush();
  }

  private static void chunkHeader() {
    System.out.println("\n| case | schedule | limit | heuristic | split | optimized | bound | gap | status | s "
        + "| best 1-chunk | 1-chunk bound | 1-chunk status |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  }

  /**
   * ZB-V and 1F1B-I (v = 2) on one paper setting, each optimized under its own plan's peak memory (bubble
   * rates of the heuristic, of its plan with fused BW split into B, W in place, of the optimized plan and of
   * the bound); beside ZB-V, the best single-chunk plan under the same limit (the optimizer warm-started
   * from 1F1B when it fits, else from its constructive plan).
   */
  private static void chunkRows(PaperSetting ps, SolverOptions opts) {
    Shape shape = new Shape(ps.stages(), ps.microbatches(), 2);
    double work = ps.microbatches() * (ps.tf() + ps.tb() + ps.tw());
    for (String name : List.of("zb-v", "1f1b-i")) {
      Plan warm = Schedules.byName(name).plan(shape, ps.costModel());
      var timeline = Simulator.simulate(warm, ps.costModel());
      double peak = timeline.peakMemory().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
      CostModel costs = ps.costModel().withMemLimit(peak);
      OptimizationResult r = Optimizer.optimize(shape, costs, warm, opts);
      String single = "| - | - | - |";
      if (name.equals("zb-v")) {
        Plan oneF = new OneFOneB().plan(ps.shape(), costs);
        Optional<Plan> start = Validator.validate(oneF, costs).ok()
            ? Optional.of(oneF) : Optimizer.constructive(ps.shape(), costs);
        if (start.isPresent()) {
          OptimizationResult s1 = Optimizer.optimize(ps.shape(), costs, start.get(), opts);
          single = String.format("| %.4f | %.4f | %s |", rate(s1.cost(), work),
              Math.max(0, rate(s1.lowerBound(), work)), s1.status());
        }
      }
      System.out.printf("| %s | %s | %.3f·p·M_B | %.4f | %.4f | %.4f | %.4f | %.3f%% | %s | %.1f %s%n", ps.label(),
          name, peak / (ps.stages() * ps.memF()), rate(r.warmStartCost(), work),
          rate(Simulator.simulate(split(warm), costs).cost(), work), rate(r.cost(), work),
          Math.max(0, rate(r.lowerBound(), work)), 100 * r.gap(), r.status(), r.solveMillis() / 1000.0, single);
      System.out.flush();
    }
  }

  /** The plan with every fused BW split into B then W in place (the optimizer's own first step). */
  private static Plan split(Plan plan) {
    List<List<Instruction>> stages = new ArrayList<>();
    for (List<Instruction> l : plan.stages()) {
      List<Instruction> out = new ArrayList<>();
      for (Instruction x : l) {
        if (x.op() == Op.BW) {
          out.add(new Instruction(x.stage(), Op.B, x.microbatch(), x.chunk()));
          out.add(new Instruction(x.stage(), Op.W, x.microbatch(), x.chunk()));
        } else {
          out.add(x);
        }
      }
      stages.add(out);
    }
    return new Plan(plan.schedule() + "-split", plan.microbatches(), plan.placement(), stages);
  }

  private static double rate(double cost, double work) {
    return (cost - work) / cost;
  }

  private static String peakResident() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM")) {
        return line.substring(6).trim();
      }
    }
    return "unknown";
  }
}
