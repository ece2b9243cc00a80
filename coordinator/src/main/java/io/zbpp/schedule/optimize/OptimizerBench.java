package io.zbpp.schedule.optimize;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.algorithms.OneFOneB;
import io.zbpp.schedule.paper.PaperSetting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The optimizer's measurements (not a test): prints one Markdown table row per instance — 1F1B's cost, the
 * optimizer's constructive plan, the optimized cost, the proven bound, the gap, the optimized bubble rate,
 * the status and the wall time. Warm start: 1F1B (valid from p·M_B up).
 *
 * <p>Usage: {@code OptimizerBench [--time-limit S] [--workers N] SECTION...} with sections {@code paper}
 * (twelve settings × {p, 2p}·M_B), {@code paper-m3p} (the four m = 3p settings only), {@code intermediate}
 * (1.25/1.5/1.75 × p·M_B for 1.5B m=24 and 28.3B m=96), {@code hetero} (1.5B m=24 with first and last stage
 * 1.3× slower, or stage 3 1.3× slower, under 1, 1.5 and 2 × p·M_B), {@code largest} (28.3B m=256 at p·M_B and
 * 2p·M_B, with the process's peak resident memory).
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
    System.out.println("| case | limit | 1F1B | constructive | optimized | bound | gap | bubble | status | s |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|");
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
      default -> throw new IllegalArgumentException("section [" + section
          + "]: expected paper, paper-m3p, intermediate, hetero or largest");
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

  private static String peakResident() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM")) {
        return line.substring(6).trim();
      }
    }
    return "unknown";
  }
}
