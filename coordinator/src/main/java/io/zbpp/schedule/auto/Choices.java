package io.zbpp.schedule.auto;

import java.util.ArrayList;
import java.util.List;

/**
 * The three binary choices of the automatic zero-bubble heuristic (docs/design.md §4, step 5). The search tries all
 * eight combinations and keeps the plan of smallest cost.
 *
 * @param bubbleBeforeFirstB warm-up: also take a forward that overruns the arrival of the stage's first
 *     gradient (so some bubble may precede the first B), instead of stopping as soon as the stage's clock has
 *     reached that arrival
 * @param prioritizeB steady state: a stage more than one forward ahead of the next stage may skip its forward
 *     this round, when that forward would delay the next B or the skipped slot costs no more bubble than the
 *     stage is behind the worst stage
 * @param greedyW a gap shorter than T_W before an F or B is still filled with a W when leaving it empty would
 *     keep the stage's cumulative bubble within the largest among stages (without this choice such a gap is
 *     left empty; a gap that would push the stage above the largest is always filled)
 */
public record Choices(boolean bubbleBeforeFirstB, boolean prioritizeB, boolean greedyW) {
  private static final List<Choices> ALL = enumerate();

  /** All eight combinations, in the order the search tries them (the first of equal-cost plans wins). */
  public static List<Choices> all() {
    return ALL;
  }

  private static List<Choices> enumerate() {
    List<Choices> l = new ArrayList<>(8);
    for (boolean bubble : new boolean[] {true, false}) {
      for (boolean prioritize : new boolean[] {true, false}) {
        for (boolean greedy : new boolean[] {true, false}) {
          l.add(new Choices(bubble, prioritize, greedy));
        }
      }
    }
    return List.copyOf(l);
  }

  /** E.g. {@code bubbleBeforeFirstB+prioritizeB-greedyW}. */
  @Override
  public String toString() {
    return (bubbleBeforeFirstB ? "+" : "-") + "bubbleBeforeFirstB" + (prioritizeB ? "+" : "-") + "prioritizeB"
        + (greedyW ? "+" : "-") + "greedyW";
  }
}
