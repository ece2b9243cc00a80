package io.zbpp.schedule;

/** A plan that cannot run as given: a deadlock, a missing or repeated pass, or memory over the limit. */
public final class InvalidPlanException extends IllegalArgumentException {
  public InvalidPlanException(String message) {
    super(message);
  }
}
