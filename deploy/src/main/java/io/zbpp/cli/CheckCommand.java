package io.zbpp.cli;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.PlanText;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Validator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code zbpp check}: reads a plan file (as {@code zbpp schedule --plan-out} writes it, or written by hand or
 * by another tool), checks it with the {@link Validator} (each pass once, dependencies, same-kind microbatch
 * order, no deadlock, memory under the limit) and times it with the simulator under a cost model given by the
 * same options as {@code zbpp schedule}; reports cost, bubble rate, peak memory and every problem, as text or
 * JSON. No scheduler runs: the plan is checked as it is.
 *
 * <p>Exit codes: 0 valid plan, 1 the plan failed validation (still reported), 2 bad input (an unreadable or
 * malformed file, a bad option).
 */
@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    versionProvider = Version.class,
    description = {"Check a plan file: validate it and simulate it under a cost model (no scheduler runs).",
        "Exit code 0: valid plan; 1: the plan failed validation; 2: bad input."})
public final class CheckCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "PLAN", description = "The plan file, one line per stage "
      + "('<stage>: <tokens>', e.g. '0: F0 F1 B0 W0 ...').")
  Path planFile;

  @Mixin CostOptions cost;

  @Option(names = "--json", description = "Print one JSON object instead of the summary.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Plan plan = read();
    Shape shape = new Shape(plan.stageCount(), plan.microbatches(), plan.placement().chunksPerStage());
    PlanRun.checkSize(shape);
    CostModel costs = cost.costModel(shape.stages());
    PlanRun run = new PlanRun(plan.schedule(), shape, costs, plan, Validator.validate(plan, costs), 0);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> o = ScheduleReport.json(run);
      o.remove("planMillis");
      o.put("plan", planFile.toString());
      out.println(Json.write(o));
    } else {
      out.print(ScheduleReport.summary(run).replaceFirst("  \\(planned in [^)]*\\)", "  (" + planFile + ")"));
    }
    out.flush();
    return run.valid() ? 0 : 1;
  }

  private Plan read() {
    String text;
    try {
      text = Files.readString(planFile);
    } catch (NoSuchFileException e) {
      throw new UsageException("PLAN [" + planFile + "]: no such file");
    } catch (IOException e) {
      throw new UsageException("PLAN [" + planFile + "]: cannot read: " + e.getMessage());
    }
    try {
      return PlanText.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException("PLAN [" + planFile + "]: " + e.getMessage().lines().findFirst().orElse("")
          + "; expected a plan file, one line per stage ('<stage>: <tokens>')");
    }
  }
}
