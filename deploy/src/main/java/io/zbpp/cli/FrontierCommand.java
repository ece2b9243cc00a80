package io.zbpp.cli;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Timeline;
import io.zbpp.schedule.Validator;
import io.zbpp.schedule.optimize.OptimizationResult;
import io.zbpp.schedule.optimize.Optimizer;
import io.zbpp.schedule.optimize.SolverOptions;
import io.zbpp.schedule.paper.PaperSetting;
import io.zbpp.schedule.render.Fmt;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zbpp frontier}: the memory/bubble frontier. For memory limits K·p·M_B (M_B = ΔM(F) of stage 0) with K
 * from {@code --from} to {@code --to}, the bubble rate of the automatic scheduler's plan (zb-auto), of the exact
 * optimizer's plan warm-started from it (or from the previous limit's best plan when that is better), and the
 * optimizer's proven lower bound; as a table, one JSON object or
 * an SVG plot ({@link FrontierSvg}) with the 1F1B, ZB-H1 and ZB-2p points marked at their own peak memory.
 *
 * <p>Costs come from the cost options; with a paper model preset and none of {@code --cost-*} given, from the
 * paper's profiled times for that model, p and m when the paper has that setting.
 */
@Command(name = "frontier", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    versionProvider = Version.class,
    description = {"The memory/bubble frontier: for memory limits K*p*M_B, K from --from to --to, the bubble "
        + "rate of zb-auto's plan, of the exact optimizer's plan, and the proven lower bound.",
        "Exit code 0: done; 2: bad input."})
public final class FrontierCommand implements Callable<Integer> {
  /** The most rows one sweep may have. */
  static final int MAX_ROWS = 1000;

  /** The heuristic whose plans are the optimizer's warm starts. */
  static final String HEURISTIC = "zb-auto";

  /** The handcrafted schedules marked on the plot, at their own peak memory. */
  static final List<String> MARKED = List.of("1f1b", "zb-h1", "zb-2p");

  @Option(names = "--stages", required = true, paramLabel = "P", description = "Pipeline stages p (>= 1).")
  int stages;

  @Option(names = "--microbatches", required = true, paramLabel = "M", description = "Microbatches m (>= 1).")
  int microbatches;

  @Mixin CostOptions cost;

  @Option(names = "--from", paramLabel = "K", defaultValue = "1",
      description = "Smallest limit factor K (limit K*p*M_B; default: ${DEFAULT-VALUE}).")
  String from;

  @Option(names = "--to", paramLabel = "K", defaultValue = "2",
      description = "Largest limit factor K (default: ${DEFAULT-VALUE}).")
  String to;

  @Option(names = "--step", paramLabel = "D", defaultValue = "0.05",
      description = "Step between limit factors (default: ${DEFAULT-VALUE}).")
  String step;

  @Option(names = "--time-limit", paramLabel = "S", defaultValue = "10",
      description = "Seconds the optimizer may take per limit (default: ${DEFAULT-VALUE}).")
  String timeLimit;

  @Option(names = "--svg", paramLabel = "FILE", description = "Write the frontier as an SVG plot to FILE.")
  Path svg;

  @Option(names = "--json", description = "Print one JSON object {\"rows\": [...]} instead of the table.")
  boolean json;

  @Spec CommandSpec spec;

  /** One limit of the sweep; rates are bubble rates (cost − m·max work)/cost. */
  record Row(double factor, double memLimit, double heuristic, double optimized, double lowerBound,
      boolean optimal, double seconds) {
    Map<String, Object> json() {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("factor", factor);
      o.put("memLimit", memLimit);
      o.put("heuristic", heuristic);
      o.put("optimized", optimized);
      o.put("lowerBound", lowerBound);
      o.put("optimal", optimal);
      o.put("solveSeconds", seconds);
      return o;
    }
  }

  /** A handcrafted schedule's plan: its own peak memory as a factor of p·M_B and its bubble rate. */
  record Mark(String schedule, double factor, double bubbleRate) {
    Map<String, Object> json() {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("schedule", schedule);
      o.put("factor", factor);
      o.put("bubbleRate", bubbleRate);
      return o;
    }
  }

  @Override
  public Integer call() {
    if (stages < 1) {
      throw new UsageException("--stages [" + stages + "]: must be at least 1");
    }
    if (microbatches < 1) {
      throw new UsageException("--microbatches [" + microbatches + "]: must be at least 1");
    }
    Shape shape = Shape.of(stages, microbatches);
    PlanRun.checkSize(shape);
    if (cost.memLimit != null || cost.memLimitFactor != null) {
      throw new UsageException((cost.memLimit != null ? "--mem-limit [" + cost.memLimit + "]"
          : "--mem-limit-factor [" + cost.memLimitFactor + "]")
          + ": frontier sweeps the memory limit itself; use --from, --to and --step");
    }
    List<Double> factors = factors();
    double seconds = Numbers.inRange("--time-limit", timeLimit, 0, true, OptimizeOptions.MAX_SECONDS);
    if (svg != null) {
      OutputFile.check("--svg", svg);
    }
    Optional<PaperSetting> paper = paperCosts();
    CostModel costs = paper.map(s -> withPaperTimes(cost.costModel(stages), s)).orElseGet(() -> cost.costModel(stages));
    double unit = stages * costs.memF(0);
    double largestF = largestMemF(costs);
    if (factors.get(0) * unit < largestF) {
      throw new UsageException("--from [" + from + "]: limit " + Fmt.num(factors.get(0) * unit)
          + " is below the memory of one microbatch; expected K >= " + Fmt.num(largestF / unit));
    }
    PrintWriter err = spec.commandLine().getErr();
    paper.ifPresent(s -> {
      err.println("costs: the paper's profiled times for " + s.label() + " (T_F " + Fmt.num(s.tf()) + ", T_B "
          + Fmt.num(s.tb()) + ", T_W " + Fmt.num(s.tw()) + ", T_comm " + Fmt.num(s.comm()) + ")");
      err.flush();
    });
    List<Row> rows = new ArrayList<>();
    Plan best = null;
    for (int i = 0; i < factors.size(); i++) {
      double k = factors.get(i);
      err.printf(Locale.ROOT, "[%d/%d] K=%s: optimizing under %s (time limit %s s)...%n", i + 1, factors.size(),
          Fmt.num(k), Fmt.num(k * unit), Fmt.num(seconds));
      err.flush();
      Solved solved = row(shape, costs, k, k * unit, seconds, best);
      rows.add(solved.row());
      best = solved.plan();
    }
    List<Mark> marks = marks(shape, costs, unit);
    String title = "Memory/bubble frontier \u2014 p=" + stages + ", m=" + microbatches
        + (cost.model == null ? "" : ", " + cost.model);
    if (svg != null) {
      OutputFile.write("--svg", svg, FrontierSvg.render(title, rows, marks));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("stages", stages);
      o.put("microbatches", microbatches);
      o.put("memUnit", unit);
      o.put("timeLimit", seconds);
      o.put("rows", rows.stream().map(Row::json).toList());
      o.put("marks", marks.stream().map(Mark::json).toList());
      if (svg != null) {
        o.put("svg", svg.toString());
      }
      out.println(Json.write(o));
    } else {
      out.print(table(rows, marks));
      if (svg != null) {
        out.println("SVG written to " + svg);
      }
    }
    out.flush();
    return 0;
  }

  /** The limit factors from --from to --to in steps of --step (the last one is --to when a step lands near it). */
  List<Double> factors() {
    double lo = Numbers.inRange("--from", from, 0, true, CostOptions.MAX_LIMIT_FACTOR);
    double hi = Numbers.inRange("--to", to, 0, true, CostOptions.MAX_LIMIT_FACTOR);
    double d = Numbers.inRange("--step", step, 0, true, CostOptions.MAX_LIMIT_FACTOR);
    if (hi < lo) {
      throw new UsageException("--to [" + to + "]: below --from [" + from + "]; expected --to >= --from");
    }
    double count = Math.floor((hi - lo) / d + 1e-9) + 1;
    if (count > MAX_ROWS) {
      throw new UsageException("--step [" + step + "]: " + (long) count + " limits from " + from + " to " + to
          + "; expected at most " + MAX_ROWS + " (a larger step)");
    }
    List<Double> ks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      // Rounded to 12 digits so that 1 + 10 * 0.05 prints as 1.5, not 1.5000000000000002.
      ks.add(Math.round((lo + i * d) * 1e12) / 1e12);
    }
    return ks;
  }

  /** A row and the best plan found under its limit. */
  private record Solved(Row row, Plan plan) {}

  /**
   * Plans under {@code limit} with the heuristic and optimizes, warm-started from the better of the heuristic's
   * plan and {@code previous} (the best plan under the previous, smaller limit, which keeps this one too), so
   * that the optimized rate never rises with the limit even when the time limit stops the search early.
   */
  private static Solved row(Shape shape, CostModel costs, double k, double limit, double seconds, Plan previous) {
    CostModel limited = costs.withMemLimit(limit);
    PlanRun run = PlanRun.run(HEURISTIC, shape, limited);
    if (!run.valid()) {
      throw new RunFailure(HEURISTIC + " planned an invalid plan under " + Fmt.num(limit) + ": "
          + run.validation().problems().get(0));
    }
    Plan warm = run.plan();
    if (previous != null) {
      Validator.Validation v = Validator.validate(previous, limited);
      if (v.ok() && v.timeline().cost() < run.validation().timeline().cost()) {
        warm = previous;
      }
    }
    OptimizationResult r;
    try {
      r = Optimizer.optimize(shape, limited, warm, SolverOptions.defaults().withTimeLimit(seconds));
    } catch (IllegalArgumentException e) {
      throw new UsageException("frontier: " + e.getMessage().lines().findFirst().orElse(""));
    }
    double work = shape.microbatches() * costs.maxWork();
    return new Solved(new Row(k, limit, run.validation().timeline().bubbleRate(), rate(r.cost(), work),
        Math.max(0, rate(r.lowerBound(), work)), r.optimal(), r.solveMillis() / 1000.0), r.plan());
  }

  private static double rate(double cost, double work) {
    return cost == 0 ? 0 : (cost - work) / cost;
  }

  /** 1F1B, ZB-H1 and ZB-2p with no limit but their own: their peak memory over p·M_B and their bubble rate. */
  private static List<Mark> marks(Shape shape, CostModel costs, double unit) {
    List<Mark> marks = new ArrayList<>();
    for (String schedule : MARKED) {
      PlanRun run;
      try {
        run = PlanRun.run(schedule, shape, costs.withMemLimit(Double.POSITIVE_INFINITY));
      } catch (UsageException e) {
        continue; // e.g. a shape the handcrafted schedule does not plan (m < p): not marked
      }
      Timeline t = run.validation().timeline();
      if (t == null) {
        continue;
      }
      double peak = t.peakMemory().stream().mapToDouble(Double::doubleValue).max().orElse(0);
      marks.add(new Mark(schedule, peak / unit, t.bubbleRate()));
    }
    return marks;
  }

  /** The paper's setting to take times from: a paper preset, the paper's p and m, and no --cost-* given. */
  private Optional<PaperSetting> paperCosts() {
    if (cost.model == null) {
      return Optional.empty();
    }
    for (String name : List.of("--cost-f", "--cost-b", "--cost-w", "--cost-comm")) {
      if (spec.commandLine().getParseResult().hasMatchedOption(name)) {
        return Optional.empty();
      }
    }
    return PaperSetting.all().stream()
        .filter(s -> s.model().equalsIgnoreCase(cost.model) && s.stages() == stages && s.microbatches() == microbatches)
        .findFirst();
  }

  private static CostModel withPaperTimes(CostModel c, PaperSetting s) {
    return c.toBuilder().times(s.tf(), s.tb(), s.tw()).comm(s.comm()).build();
  }

  private static double largestMemF(CostModel c) {
    double m = Double.NEGATIVE_INFINITY;
    for (int s = 0; s < c.stages(); s++) {
      m = Math.max(m, c.memF(s));
    }
    return m;
  }

  static String table(List<Row> rows, List<Mark> marks) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%6s %14s %9s %9s %9s %-8s %6s%n", "K",
        "mem limit", "heuristic", "optimized", "bound", "optimal", "s"));
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "%6s %14s %9.4f %9.4f %9.4f %-8s %6.1f%n", Fmt.num(r.factor),
          Fmt.num(r.memLimit), r.heuristic, r.optimized, r.lowerBound, r.optimal ? "yes" : "no", r.seconds));
    }
    for (Mark m : marks) {
      sb.append(String.format(Locale.ROOT, "%s: bubble rate %.4f at its own peak memory K=%s%n", m.schedule,
          m.bubbleRate, Fmt.num(m.factor)));
    }
    return sb.toString();
  }
}
