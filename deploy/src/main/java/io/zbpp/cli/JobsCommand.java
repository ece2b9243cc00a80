package io.zbpp.cli;

import io.zbpp.client.ZbppClient;
import io.zbpp.protocol.jobs.Job;
import io.zbpp.protocol.jobs.JobState;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code zbpp jobs}: the job API's jobs, oldest first, as a table or one JSON array. */
@Command(name = "jobs", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "List the jobs of the job API, oldest first.")
final class JobsCommand extends ClientCommand {
  @Option(names = "--state", paramLabel = "STATE",
      description = "Only jobs in this state: queued, running, succeeded, failed, cancelled.")
  String state;

  @Option(names = "--json", description = "Print one JSON array of jobs.")
  boolean json;

  @Override
  int run(ZbppClient c) {
    JobState s = JobState.JOB_STATE_UNSPECIFIED;
    if (state != null) {
      try {
        s = JobState.valueOf(state.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--state [" + state + "]: unknown; expected one of queued, running, "
            + "succeeded, failed, cancelled");
      }
      if (s == JobState.JOB_STATE_UNSPECIFIED || s == JobState.UNRECOGNIZED) {
        throw new UsageException("--state [" + state + "]: unknown; expected one of queued, running, "
            + "succeeded, failed, cancelled");
      }
    }
    List<Job> jobs = c.list(s);
    if (json) {
      out().println("[" + String.join(",", jobs.stream().map(ClientCommand::json).toList()) + "]");
      return 0;
    }
    out().printf(Locale.ROOT, "%-12s %-10s %-10s %-8s %-6s %s%n", "ID", "STATE", "OWNER", "SCHEDULE", "ITER",
        "NAME");
    for (Job j : jobs) {
      out().printf(Locale.ROOT, "%-12s %-10s %-10s %-8s %-6s %s%n", j.getId(), lower(j.getState()),
          j.getOwner(), j.getSpec().getSchedule(), j.getIterationsDone() + "/" + j.getSpec().getIterations(),
          j.getName());
    }
    return 0;
  }
}
