package io.zbpp.cli;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.PlanText;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Timeline;
import io.zbpp.schedule.optimize.OptimizationResult;
import io.zbpp.schedule.render.AsciiGrid;
import io.zbpp.schedule.render.SvgTimeline;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zbpp schedule}: plans one schedule for one shape and cost model, validates and simulates it
 * (docs/design.md, CLI), and reports cost, bubble rate and peak memory as text or one JSON object; optionally
 * draws the ASCII grid, writes an SVG timeline and the plan file.
 *
 * <p>Exit codes: 0 valid plan, 1 the plan failed validation (still reported), 2 bad input.
 */
@Command(name = "schedule", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    versionProvider = Version.class,
    description = {"Plan a schedule, validate and simulate it: cost, bubble rate, peak memory.",
        "Exit code 0: valid plan; 1: the plan failed validation; 2: bad input."})
public final class ScheduleCommand implements Callable<Integer> {
  @Mixin PipelineOptions pipeline;
  @Mixin CostOptions cost;
  @Mixin OptimizeOptions optimizer;

  @Option(names = "--json", description = "Print one JSON object instead of the summary.")
  boolean json;

  @Option(names = "--grid", description = "Draw the plan as an ASCII grid (with --json: as field \"grid\").")
  boolean grid;

  @Option(names = "--svg", paramLabel = "FILE", description = "Write an SVG timeline of the plan to FILE.")
  Path svg;

  @Option(names = "--plan-out", paramLabel = "FILE",
      description = "Write the plan file (one line per stage, '<stage>: <tokens>') to FILE.")
  Path planOut;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Shape shape = pipeline.shape();
    CostModel costs = cost.costModel(shape.stages());
    if (optimizer.enabled()) {
      optimizer.seconds();
    }
    checkOutputs();
    PlanRun run = PlanRun.run(pipeline.schedule(), shape, costs);
    OptimizationResult optimized = null;
    if (optimizer.enabled()) {
      OptimizeOptions.Optimized o =
          optimizer.run(run, json ? new PrintWriter(java.io.Writer.nullWriter()) : spec.commandLine().getErr());
      run = o.run();
      optimized = o.result();
    }
    Timeline timeline = run.validation().timeline();
    if (planOut != null) {
      OutputFile.write("--plan-out", planOut, PlanText.formatNamed(run.plan()));
    }
    if (svg != null && timeline != null) {
      OutputFile.write("--svg", svg, SvgTimeline.render(timeline));
    }
    String drawn = grid && timeline != null ? AsciiGrid.render(timeline) : null;
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> obj = ScheduleReport.json(run);
      if (optimized != null) {
        OptimizeOptions.putJson(obj, optimized);
      }
      putIf(obj, "grid", drawn);
      putIf(obj, "planOut", planOut == null ? null : planOut.toString());
      putIf(obj, "svg", svg == null || timeline == null ? null : svg.toString());
      out.println(Json.write(obj));
    } else {
      out.print(ScheduleReport.summary(run));
      if (optimized != null) {
        out.print(OptimizeOptions.summary(optimized));
      }
      if (drawn != null) {
        out.print(drawn);
      }
      if (planOut != null) {
        out.println("plan written to " + planOut);
      }
      if (svg != null) {
        out.println(timeline == null ? "no SVG: the plan cannot be simulated" : "SVG written to " + svg);
      }
    }
    out.flush();
    return run.valid() ? 0 : 1;
  }

  private static void putIf(Map<String, Object> obj, String key, Object value) {
    if (value != null) {
      obj.put(key, value);
    }
  }

  /** Checks the output files before planning (the optimizer may run for minutes). */
  private void checkOutputs() {
    if (planOut != null) {
      OutputFile.check("--plan-out", planOut);
    }
    if (svg != null) {
      OutputFile.check("--svg", svg);
    }
    if (planOut != null && svg != null && planOut.toAbsolutePath().normalize().equals(svg.toAbsolutePath().normalize())) {
      throw new UsageException("--svg [" + svg + "]: the same file as --plan-out; expected another path");
    }
  }
}
