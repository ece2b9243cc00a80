package io.zbpp.cli;

/**
 * Bad user input found after picocli parsed the command line: the message is one line that names the
 * offending value and what would be accepted (docs/design.md "Conventions": errors). {@link Main} prints it and exits with code 2.
 * A message that names a job-spec field ({@code memLimit [3]: ...}, as the planner and the coordinator write
 * them for every client) names the option that sets it instead ({@code --mem-limit [3]: ...}).
 */
public final class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(io.zbpp.runtime.JobSpecFlags.message(message), null, false, false);
  }
}
