package io.zbpp.cli;

import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import java.util.Iterator;
import picocli.CommandLine.Option;

/**
 * The pipeline-shape options shared by every command that plans (use with {@code @Mixin}): the schedule by
 * registry name, p stages, m microbatches and v chunks per stage. {@link #shape()} and {@link #schedule()}
 * validate them at the edge with one-line messages.
 */
public final class PipelineOptions {
  @Option(names = "--schedule", required = true, paramLabel = "NAME", completionCandidates = ScheduleNames.class,
      description = "Schedule, one of: ${COMPLETION-CANDIDATES}.")
  String schedule;

  @Option(names = "--stages", required = true, paramLabel = "P", description = "Pipeline stages p (>= 1).")
  int stages;

  @Option(names = "--microbatches", required = true, paramLabel = "M", description = "Microbatches m (>= 1).")
  int microbatches;

  @Option(names = "--chunks", paramLabel = "V",
      description = "Model chunks per stage v (default: 2 for 1f1b-i and zb-v, which requires 2; 1 otherwise).")
  Integer chunks;

  /**
   * The registered schedule name, checked against the registry.
   *
   * @throws UsageException naming the unknown schedule and the registered ones
   */
  public String schedule() {
    try {
      return Schedules.byName(schedule).name();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /**
   * The shape p, m, v, with v defaulted and checked for the schedule.
   *
   * @throws UsageException naming the bad value
   */
  public Shape shape() {
    if (stages < 1) {
      throw new UsageException("--stages [" + stages + "]: must be at least 1");
    }
    if (microbatches < 1) {
      throw new UsageException("--microbatches [" + microbatches + "]: must be at least 1");
    }
    String name = schedule();
    int v = chunks == null ? ScheduleRules.defaultChunks(name) : chunks;
    ScheduleRules.checkChunks(name, v);
    Shape shape = new Shape(stages, microbatches, v);
    PlanRun.checkSize(shape);
    return shape;
  }

  /** The registered names, for picocli's help text; read when the help is printed. */
  static final class ScheduleNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Schedules.names().iterator();
    }
  }
}
