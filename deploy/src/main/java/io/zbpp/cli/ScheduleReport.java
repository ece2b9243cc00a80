package io.zbpp.cli;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Timeline;
import io.zbpp.schedule.render.Fmt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The results of a {@link PlanRun} as the JSON object and the human summary of {@code zbpp schedule}. */
final class ScheduleReport {
  private static final int MAX_PROBLEMS_SHOWN = 10;

  private ScheduleReport() {}

  /**
   * The JSON fields: schedule, stages, microbatches, chunks, passes, cost, bubbleRate, makespan, peakMemory
   * (per stage), memLimit (null: none), valid, problems, planMillis, costs. Cost, bubbleRate, makespan and
   * peakMemory are null when the plan cannot be simulated.
   */
  static Map<String, Object> json(PlanRun run) {
    Plan plan = run.plan();
    Timeline t = run.validation().timeline();
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("schedule", run.schedule());
    o.put("stages", plan.stageCount());
    o.put("microbatches", plan.microbatches());
    o.put("chunks", plan.placement().chunksPerStage());
    o.put("passes", plan.size());
    o.put("cost", t == null ? null : t.cost());
    o.put("bubbleRate", t == null ? null : t.bubbleRate());
    o.put("makespan", t == null ? null : t.makespan());
    o.put("peakMemory", t == null ? null : t.peakMemory());
    o.put("memLimit", run.costs().hasMemLimit() ? run.costs().memLimit() : null);
    o.put("valid", run.valid());
    o.put("problems", run.validation().problems());
    o.put("planMillis", run.planMillis());
    o.put("costs", costs(run.costs()));
    return o;
  }

  /** The cost model as JSON: per-stage f, b, w, memF, memB, memW and the scalar comm. */
  static Map<String, Object> costs(CostModel c) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("f", perStage(c, s -> c.tf(s)));
    o.put("b", perStage(c, s -> c.tb(s)));
    o.put("w", perStage(c, s -> c.tw(s)));
    o.put("comm", c.comm());
    o.put("memF", perStage(c, s -> c.memF(s)));
    o.put("memB", perStage(c, s -> c.memB(s)));
    o.put("memW", perStage(c, s -> c.memW(s)));
    return o;
  }

  private static List<Double> perStage(CostModel c, java.util.function.IntToDoubleFunction f) {
    List<Double> l = new ArrayList<>();
    for (int s = 0; s < c.stages(); s++) {
      l.add(f.applyAsDouble(s));
    }
    return l;
  }

  /** A few lines: shape and verdict, cost and bubble rate, peak memory against the limit, problems. */
  static String summary(PlanRun run) {
    Plan plan = run.plan();
    Timeline t = run.validation().timeline();
    StringBuilder sb = new StringBuilder();
    sb.append(run.schedule()).append("  p=").append(plan.stageCount()).append(" m=").append(plan.microbatches())
        .append(" v=").append(plan.placement().chunksPerStage()).append("  ").append(plan.size())
        .append(" passes  ").append(run.valid() ? "valid" : "INVALID")
        .append(String.format(Locale.ROOT, "  (planned in %.2f ms)%n", run.planMillis()));
    if (t != null) {
      sb.append("cost ").append(Fmt.num(t.cost())).append("  makespan ").append(Fmt.num(t.makespan()))
          .append("  bubble rate ").append(Fmt.percent(t.bubbleRate())).append('\n');
      sb.append("peak memory per stage: ")
          .append(t.peakMemory().stream().map(Fmt::num).collect(Collectors.joining(", ")))
          .append("  (limit: ").append(run.costs().hasMemLimit() ? Fmt.num(run.costs().memLimit()) : "none")
          .append(")\n");
    }
    List<String> problems = run.validation().problems();
    for (int i = 0; i < Math.min(MAX_PROBLEMS_SHOWN, problems.size()); i++) {
      sb.append("problem: ").append(problems.get(i)).append('\n');
    }
    if (problems.size() > MAX_PROBLEMS_SHOWN) {
      sb.append("... and ").append(problems.size() - MAX_PROBLEMS_SHOWN).append(" more problems\n");
    }
    return sb.toString();
  }
}
