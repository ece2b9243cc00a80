package io.zbpp.runtime;

import io.zbpp.protocol.msg.StageBlocked;
import java.time.Duration;
import java.util.Locale;
import java.util.TreeMap;

/**
 * What the iteration watchdog found (docs/faults.md "Detection"): per stage the instruction it is blocked on — a
 * pass that does not end, or an input that does not come — with its program and the position marked; a stage
 * that did not answer is named as such.
 */
final class WatchdogReport {
  private final int iteration;
  private final Duration deadline;
  private final int stages;
  private final TreeMap<Integer, StageBlocked> answers = new TreeMap<>();

  WatchdogReport(int iteration, Duration deadline, int stages) {
    this.iteration = iteration;
    this.deadline = deadline;
    this.stages = stages;
  }

  /** Adds a stage's answer; true once every stage answered. */
  boolean add(StageBlocked b) {
    answers.put(b.stage(), b);
    return answers.size() == stages;
  }

  /** The first line sums it up; the programs follow. */
  String text() {
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT,
        "watchdog: iteration %d not done within %.1f s;", iteration, deadline.toMillis() / 1000.0));
    StringBuilder programs = new StringBuilder();
    for (int s = 0; s < stages; s++) {
      StageBlocked b = answers.get(s);
      head.append(" stage ").append(s).append(' ').append(summary(b)).append(s < stages - 1 ? "," : "");
      if (b != null && !b.program().isEmpty()) {
        programs.append('\n').append(b.program());
      }
    }
    return head.append(programs).toString();
  }

  private static String summary(StageBlocked b) {
    if (b == null) {
      return "did not answer";
    }
    if (b.iteration() < 0) {
      return "is between iterations";
    }
    String marked = b.program().lines().filter(l -> l.contains("<--")).findFirst().orElse("").trim();
    String op = marked.isEmpty() ? "?" : marked.split("\\s+")[1];
    return (b.computing() ? "runs " : "waits at ") + op + " (iteration " + b.iteration() + ")";
  }
}
