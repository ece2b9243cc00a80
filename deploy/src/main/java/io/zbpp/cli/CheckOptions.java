package io.zbpp.cli;

import io.zbpp.runtime.TrainSpec;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The optimizer-check options of {@code zbpp train} (issue 6, docs/post-validation.md; use with {@code @Mixin}):
 * gradient clipping, post-validation or the synchronous all-reduce, the rollback mode, and a NaN injected for
 * tests and demonstrations. Every train run checks for NaN/INF: post-validation for the zero-bubble schedules,
 * the synchronous check for the others and for the reference trainer. {@link #apply} checks the values at the
 * edge with one-line messages, before any actor starts.
 */
public final class CheckOptions {
  private static final Pattern ITERATION_STAGE = Pattern.compile("(\\d{1,9}):(\\d{1,9})");

  @Option(names = "--clip-norm", paramLabel = "C", defaultValue = "0",
      description = "Clip the global gradient norm at C before the optimizer step; 0: no clipping "
          + "(non-finite gradients skip the step either way) (default: ${DEFAULT-VALUE}).")
  String clipNorm;

  @Option(names = "--post-validation", paramLabel = "on|off",
      description = "on: stages step eagerly and validate the step during the next iteration (rolled back on "
          + "NaN/INF or a clip); off: a synchronous all-reduce of the gradient norm before every step "
          + "(default: on for the zero-bubble schedules zb-*, off for gpipe, 1f1b, 1f1b-i; not with reference).")
  String postValidation;

  @Option(names = "--rollback", paramLabel = "exact|in-place",
      description = "How post-validation undoes a rejected eager step: exact (a copy of parameters and AdamW "
          + "moments, bit-exact) or in-place (inverts AdamW, no copy) (default: exact; only with post-validation on, not with reference).")
  String rollback;

  @Option(names = "--inject-nan", paramLabel = "ITERATION:STAGE",
      description = "For tests and demonstrations: poison that stage's gradients in that iteration (both from "
          + "0); with reference, the gradients of the chunks that stage would hold.")
  String injectNan;

  /** Whether post-validation is on by default for {@code schedule}: the zero-bubble schedules ({@code zb-*}). */
  static boolean defaultPostValidation(String schedule) {
    return schedule.startsWith("zb-");
  }

  /**
   * Sets the check on a pipeline job ({@code reference} false) or on the reference trainer's spec ({@code
   * reference} true: always the synchronous check; {@code --post-validation} and {@code --rollback} rejected).
   * {@code --rollback} is rejected too when post-validation is off (explicitly or by the schedule's default).
   *
   * @throws UsageException naming the bad value and what is accepted
   */
  void apply(TrainSpec.Builder b, String schedule, boolean reference, int stages, int iterations) {
    double c = clipNorm();
    if (reference) {
      rejectForReference("--post-validation", postValidation);
      rejectForReference("--rollback", rollback);
    }
    boolean validated = !reference && postValidation(schedule);
    String mode = rollback();
    if (!reference && !validated && rollback != null) {
      throw new UsageException("--rollback [" + rollback + "]: only post-validation rolls back, and it is off "
          + "for this run; expected --post-validation on, or no --rollback");
    }
    b.clipNorm(c).postValidation(validated);
    b.rollback(mode);
    if (injectNan != null) {
      int[] nan = injectNan(stages, iterations);
      b.injectNan(nan[0], nan[1]);
    }
  }

  private double clipNorm() {
    Double c = Numbers.decimal(clipNorm);
    if (c == null || c < 0) {
      throw new UsageException("--clip-norm [" + clipNorm + "]: expected a number >= 0 (0: no clipping)");
    }
    return c;
  }

  private boolean postValidation(String schedule) {
    if (postValidation == null) {
      return defaultPostValidation(schedule);
    }
    return switch (postValidation.toLowerCase(Locale.ROOT)) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new UsageException("--post-validation [" + postValidation + "]: expected on or off");
    };
  }

  private String rollback() {
    String mode = rollback == null ? "exact" : rollback.toLowerCase(Locale.ROOT);
    if (!mode.equals("exact") && !mode.equals("in-place")) {
      throw new UsageException("--rollback [" + rollback + "]: expected exact or in-place");
    }
    return mode;
  }

  /** {ITERATION, STAGE}, both in range. */
  private int[] injectNan(int stages, int iterations) {
    Matcher m = ITERATION_STAGE.matcher(injectNan.strip());
    if (!m.matches()) {
      throw new UsageException("--inject-nan [" + injectNan + "]: expected ITERATION:STAGE, two whole numbers "
          + ">= 0 (e.g. 2:1)");
    }
    int it = Integer.parseInt(m.group(1));
    int stage = Integer.parseInt(m.group(2));
    if (it >= iterations || stage >= stages) {
      throw new UsageException("--inject-nan [" + injectNan + "]: expected ITERATION:STAGE with ITERATION < "
          + iterations + " and STAGE < " + stages);
    }
    return new int[] {it, stage};
  }

  private static void rejectForReference(String option, String value) {
    if (value != null) {
      throw new UsageException(option + " [" + value + "]: the reference trainer checks synchronously on one "
          + "device; expected a pipeline schedule");
    }
  }
}
