package io.zbpp.cli;

import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine.Spec;

/**
 * The {@code zbpp} launcher: a picocli parent command whose subcommands live in their own classes (adding a
 * command is one entry in {@code subcommands}).
 *
 * <p>Error contract (docs/design.md "Conventions": errors): bad input — an unknown option, a missing or malformed value, or a
 * {@link UsageException} from a command — prints one line to stderr and exits with 2, never a stack trace. Any
 * other exception is an internal error: one line, exit 1 (the stack trace only with {@code ZBPP_DEBUG} set).
 */
@Command(name = "zbpp", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Zero Bubble Pipeline Parallelism on the JVM.",
    subcommands = {ScheduleCommand.class, CheckCommand.class, TrainCommand.class, DemoCommand.class,
        BenchCommand.class, FrontierCommand.class, CheckpointCommand.class, SubmitCommand.class, JobsCommand.class,
        StatusCommand.class, WatchCommand.class, CancelCommand.class, ResultCommand.class,
        JobServerCommand.class,
        CoordinatorServerCommand.class, WorkerCommand.class, CertsCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  /** Exit code for bad input. */
  public static final int BAD_INPUT = 2;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "zbpp: missing command; expected one of "
        + String.join(", ", spec.subcommands().keySet()));
  }

  public static void main(String[] args) {
    java.util.Optional<String> badFormat = LogFormat.apply(System.getenv(LogFormat.VARIABLE));
    if (badFormat.isPresent()) {
      System.err.println(badFormat.get());
      System.exit(2);
    }
    // Initialise logging before the actor system's threads log concurrently: otherwise SLF4J replays their
    // first calls with a three-line warning on stderr.
    org.slf4j.LoggerFactory.getILoggerFactory();
    int code;
    try {
      code = commandLine().execute(args);
    } catch (OutOfMemoryError e) {
      System.err.println("zbpp: out of memory: the job does not fit this JVM's heap of "
          + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB; give a smaller shape, or more heap with "
          + "ZBPP_JAVA_OPTS=-Xmx<size>");
      code = 1;
    }
    System.exit(code);
  }

  /** The configured command line; tests run commands through it with their own out and err writers. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setParameterExceptionHandler(Main::onBadParameters);
    cl.setExecutionExceptionHandler(Main::onFailure);
    return cl;
  }

  private static int onBadParameters(ParameterException ex, String[] args) {
    String message = ex.getMessage().lines().findFirst().orElse("bad input");
    if (ex instanceof UnmatchedArgumentException u) {
      message = unknownCommand(u).orElse(message);
    }
    ex.getCommandLine().getErr().println(message);
    ex.getCommandLine().getErr().flush();
    return BAD_INPUT;
  }

  /**
   * For a word where a command with subcommands expects one ({@code zbpp nope}, {@code zbpp bench nope}): a
   * line naming it and the valid commands.
   */
  private static Optional<String> unknownCommand(UnmatchedArgumentException u) {
    CommandLine cl = u.getCommandLine();
    List<String> unmatched = u.getUnmatched();
    if (cl.getSubcommands().isEmpty() || unmatched.isEmpty() || unmatched.get(0).startsWith("-")) {
      return Optional.empty();
    }
    String path = cl.getCommandSpec().qualifiedName(" ");
    return Optional.of(path + ": unknown command [" + unmatched.get(0) + "]; expected one of "
        + String.join(", ", cl.getSubcommands().keySet()));
  }

  private static int onFailure(Exception ex, CommandLine cmd, ParseResult parsed) {
    if (ex instanceof UsageException) {
      cmd.getErr().println(ex.getMessage());
      cmd.getErr().flush();
      return BAD_INPUT;
    }
    if (ex instanceof RunFailure) {
      cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
      cmd.getErr().flush();
      return 1;
    }
    cmd.getErr().println("zbpp: internal error: " + ex);
    if (System.getenv("ZBPP_DEBUG") != null) {
      ex.printStackTrace(cmd.getErr());
    }
    cmd.getErr().flush();
    return 1;
  }
}
