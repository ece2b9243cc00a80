package io.zbpp.faults;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One injected fault, as {@code --inject} and the job spec's {@code inject} write it (docs/faults.md "Fault
 * injection"): {@code KIND:STAGE@ITERATION[.INDEX][xFACTOR]}, stages, iterations and indexes from 0. E.g.
 * {@code kill-stage:2@5.17} = stage 2's actor stops at iteration 5 before its instruction 17;
 * {@code slow-stage:1@3x4} = stage 1's passes take 4 times as long from iteration 3 on. Without an index the
 * fault strikes at the iteration's first instruction. For the frame kinds STAGE is the sending stage and INDEX
 * the frame's index among that stage's sends in that iteration. Prints as it parses.
 *
 * @param index the program index (frame kinds: the send index), or −1 when none was given
 * @param factor slow-stage's slow-down or delay-frame's milliseconds; 0 for the other kinds
 */
public record Injection(Kind kind, int stage, int iteration, int index, double factor) {
  /** What fails. */
  public enum Kind {
    /** The stage actor throws during the instruction (the stage reports StageFailed). */
    STAGE_EXCEPTION,
    /** The stage actor stops before the instruction. */
    KILL_STAGE,
    /** The worker hosting the stage dies: in one JVM its actor system terminates, in a worker process the JVM halts. */
    KILL_WORKER,
    /** The coordinator dies (process deployments). */
    KILL_COORDINATOR,
    /** Every compute pass of the stage takes FACTOR times as long from the instruction on. */
    SLOW_STAGE,
    DROP_FRAME,
    DUPLICATE_FRAME,
    /** The frame is held back FACTOR milliseconds. */
    DELAY_FRAME,
    REORDER_FRAME,
    CORRUPT_FRAME,
    FAIL_CHECKPOINT_WRITE,
    CORRUPT_CHECKPOINT;

    /** The name as written: {@code kill-stage}. */
    public String text() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether the kind needs {@code xFACTOR} (it is refused on the others). */
    public boolean takesFactor() {
      return this == SLOW_STAGE || this == DELAY_FRAME;
    }

    static String accepted() {
      return Arrays.stream(values()).map(Kind::text).collect(Collectors.joining(", "));
    }
  }

  private static final Pattern FORM = Pattern.compile("([a-z-]+):(\\d+)@(\\d+)(?:\\.(\\d+))?(?:x([0-9.]+))?");

  public Injection {
    java.util.Objects.requireNonNull(kind, "kind");
    if (stage < 0 || iteration < 0 || index < -1) {
      throw new IllegalArgumentException("inject: stage, iteration and index are from 0, got " + stage + "@"
          + iteration + "." + index);
    }
  }

  /**
   * Parses one injection.
   *
   * @throws IllegalArgumentException one line naming the value and what is accepted
   */
  public static Injection parse(String text) {
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      throw bad(text, "expected KIND:STAGE@ITERATION[.INDEX][xFACTOR], e.g. kill-stage:2@5.17 or slow-stage:1@3x4");
    }
    Kind kind = Arrays.stream(Kind.values()).filter(k -> k.text().equals(m.group(1))).findFirst()
        .orElseThrow(() -> bad(text, "unknown kind " + m.group(1) + "; accepted: " + Kind.accepted()));
    int stage = number(text, m.group(2));
    int iteration = number(text, m.group(3));
    int index = m.group(4) == null ? -1 : number(text, m.group(4));
    double factor = 0;
    if (m.group(5) != null) {
      if (!kind.takesFactor()) {
        throw bad(text, kind.text() + " takes no xFACTOR; only slow-stage and delay-frame do");
      }
      try {
        factor = Double.parseDouble(m.group(5));
      } catch (NumberFormatException e) {
        throw bad(text, "factor " + m.group(5) + " is not a number");
      }
      if (!(factor > 0) || Double.isInfinite(factor)) {
        throw bad(text, "factor " + m.group(5) + " must be a positive number");
      }
    } else if (kind.takesFactor()) {
      throw bad(text, kind.text() + " needs xFACTOR (" + (kind == Kind.SLOW_STAGE ? "the slow-down, e.g. x4"
          : "the delay in milliseconds, e.g. x50") + ")");
    }
    return new Injection(kind, stage, iteration, index, factor);
  }

  /** Parses every entry; the first bad one throws. */
  public static List<Injection> parseAll(List<String> texts) {
    List<Injection> all = new ArrayList<>();
    texts.forEach(t -> all.add(parse(t)));
    return List.copyOf(all);
  }

  private static int number(String text, String digits) {
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      throw bad(text, digits + " is too large");
    }
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("inject [" + text + "]: " + why);
  }

  /** The first instruction it strikes at: its index, or 0. */
  public int at() {
    return Math.max(index, 0);
  }

  @Override
  public String toString() {
    String f = factor == 0 ? "" : "x" + (factor == Math.rint(factor) ? String.valueOf((long) factor)
        : String.valueOf(factor));
    return kind.text() + ":" + stage + "@" + iteration + (index < 0 ? "" : "." + index) + f;
  }
}
