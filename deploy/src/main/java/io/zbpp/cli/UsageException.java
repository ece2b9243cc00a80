package io.zbpp.cli;

/**
 * Bad user input found after picocli parsed the command line: the message is one line that names the
 * offending value and what would be accepted (docs/design.md "Conventions": errors). {@link Main} prints it and exits with code 2.
 */
public final class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message, null, false, false);
  }
}
