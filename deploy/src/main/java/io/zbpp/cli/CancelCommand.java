package io.zbpp.cli;

import io.zbpp.client.ZbppClient;
import io.zbpp.protocol.jobs.JobState;
import picocli.CommandLine.Command;

/**
 * {@code zbpp cancel ID}: cancels a queued or running job. A job that already ended keeps its state, and the
 * command says so as a refusal: one line on stderr, exit 1.
 */
@Command(name = "cancel", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = {"Cancel a queued or running job of the job API (its owner or an admin token).",
        "Exit code 0: cancelled; 1: refused, or the job had already ended."})
final class CancelCommand extends OneJobCommand {
  @Override
  int run(ZbppClient c) {
    JobState before = c.get(id).getState();
    JobState after = ended(before) ? before : c.cancel(id);
    if (ended(before) || after != JobState.CANCELLED) {
      spec.commandLine().getErr().println("zbpp cancel: FAILED_PRECONDITION: job " + id + " already ended in state "
          + lower(after) + "; nothing to cancel");
      spec.commandLine().getErr().flush();
      return 1;
    }
    out().println(id + " " + lower(after));
    return 0;
  }

  private static boolean ended(JobState s) {
    return s != JobState.QUEUED && s != JobState.RUNNING;
  }
}
