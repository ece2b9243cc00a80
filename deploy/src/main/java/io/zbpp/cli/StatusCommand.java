package io.zbpp.cli;

import io.zbpp.client.ZbppClient;
import io.zbpp.protocol.jobs.Job;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code zbpp status ID}: one job's state, owner, shape and progress. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Show one job of the job API.")
final class StatusCommand extends OneJobCommand {
  @Option(names = "--json", description = "Print the job as one JSON object.")
  boolean json;

  @Override
  int run(ZbppClient c) {
    Job j = c.get(id);
    if (json) {
      out().println(json(j));
      return 0;
    }
    out().printf(Locale.ROOT, "%s  %s  owner %s  %s p=%d m=%d  iteration %d/%d%s%n", j.getId(),
        lower(j.getState()), j.getOwner(), j.getSpec().getSchedule(), j.getSpec().getStages(),
        j.getSpec().getMicrobatches(), j.getIterationsDone(), j.getSpec().getIterations(),
        j.getReason().isEmpty() ? "" : "  (" + j.getReason() + ")");
    return 0;
  }
}
