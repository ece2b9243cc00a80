package io.zbpp.cli;

/**
 * A command that could not do its work for a reason outside the user's input (a child JVM that did not start,
 * a cluster that could not be joined): {@link Main} prints {@code zbpp COMMAND: message} (the full command name) and exits with 1,
 * without a stack trace.
 */
final class RunFailure extends RuntimeException {
  RunFailure(String message) {
    super(message, null, false, false);
  }
}
