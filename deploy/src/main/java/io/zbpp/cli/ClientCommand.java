package io.zbpp.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.zbpp.client.ZbppClient;
import io.zbpp.client.ZbppException;
import io.zbpp.protocol.jobs.JobState;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A job API client command (docs/jobs.md "The shell"): connects with {@link ClientOptions} and runs one call; a
 * refused call prints one line on stderr, {@code zbpp <command>: <CODE>: <message>}, and exits 2 for a bad spec
 * or argument (INVALID_ARGUMENT), 1 for every other refusal.
 */
abstract class ClientCommand implements Callable<Integer> {
  @Mixin ClientOptions client;
  @Spec CommandSpec spec;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  @Override
  public Integer call() {
    try (ZbppClient c = client.connect()) {
      return run(c);
    } catch (ZbppException.Unavailable e) {
      String why = e.getMessage().lines().findFirst().orElse("").strip();
      spec.commandLine().getErr().println("zbpp " + spec.name() + ": " + e.code() + ": " + (why.contains("on standby")
          ? why // a standby coordinator answered: its line names the active one
          : "cannot reach the job API at " + client.target() + " (" + why + "); is zbpp job-server running there, "
              + "and is --ca given exactly when it serves TLS?"));
      spec.commandLine().getErr().flush();
      return 1;
    } catch (ZbppException e) {
      spec.commandLine().getErr().println("zbpp " + spec.name() + ": " + e.code() + ": " + e.getMessage());
      spec.commandLine().getErr().flush();
      return e instanceof ZbppException.InvalidArgument ? Main.BAD_INPUT : 1;
    } finally {
      out().flush();
    }
  }

  abstract int run(ZbppClient c);

  static String json(MessageOrBuilder m) {
    try {
      return JsonFormat.printer().omittingInsignificantWhitespace().print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  static String lower(JobState s) {
    return s.name().toLowerCase(Locale.ROOT);
  }
}
