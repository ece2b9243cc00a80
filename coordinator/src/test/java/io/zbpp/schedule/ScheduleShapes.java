package io.zbpp.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The shapes each registered schedule must reject, in one table, so that suites running every schedule over a
 * grid of shapes never turn a rejection into a skipped test: a shape listed here is asserted to be rejected
 * ({@code ScheduleShapesTest}), every other shape must plan and run.
 */
public final class ScheduleShapes {
  /** The schedules whose planner is single-chunk only: they reject v &gt; 1. */
  private static final Set<String> SINGLE_CHUNK_ONLY = Set.of("zb-1p", "zb-2p", "zb-auto");

  private ScheduleShapes() {}

  /** The v the suites use for a schedule: 2 for the multi-chunk schedules (interleaved 1F1B, ZB-V), else 1. */
  public static int chunksPerStage(String schedule) {
    return schedule.equals("zb-v") || schedule.equals("1f1b-i") ? 2 : 1;
  }

  /** Whether {@code schedule} must reject {@code shape} with an {@link IllegalArgumentException}. */
  public static boolean mustReject(String schedule, Shape shape) {
    return SINGLE_CHUNK_ONLY.contains(schedule) && shape.chunksPerStage() > 1;
  }

  /** The plan of a shape the schedule must accept, on uniform costs; fails the test if it is listed. */
  public static Plan plan(String schedule, int p, int m) {
    Shape shape = new Shape(p, m, chunksPerStage(schedule));
    if (mustReject(schedule, shape)) {
      throw new AssertionError(schedule + " is listed to reject " + shape + "; leave it out of the grid");
    }
    return Schedules.byName(schedule).plan(shape, CostModel.uniform(p, 1, 1, 1, 0));
  }

  /** (schedule, p, m) for every registered schedule and every {p, m} given, at the schedule's own v. */
  public static Stream<Arguments> everyScheduleAnd(int[][] shapes) {
    List<Arguments> out = new ArrayList<>();
    for (String name : Schedules.names()) {
      for (int[] pm : shapes) {
        if (!mustReject(name, new Shape(pm[0], pm[1], chunksPerStage(name)))) {
          out.add(Arguments.of(name, pm[0], pm[1]));
        }
      }
    }
    return out.stream();
  }
}
