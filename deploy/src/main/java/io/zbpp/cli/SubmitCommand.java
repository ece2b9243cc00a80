package io.zbpp.cli;

import io.zbpp.client.ZbppClient;
import io.zbpp.protocol.jobs.JobSpec;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zbpp submit}: sends a spec file to the job API and prints the job's id; {@code --watch} follows it. */
@Command(name = "submit", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = {"Submit a training job (a YAML or JSON spec file) to the job API; prints its id.",
        "Exit code 0: queued (with --watch: succeeded); 1: refused or failed; 2: bad spec."})
final class SubmitCommand extends ClientCommand {
  @Parameters(paramLabel = "SPEC", description = "The job spec: YAML (.yaml, .yml) or JSON, jobs.proto's "
      + "JobSpec field names in lowerCamelCase.")
  Path file;

  @Option(names = "--watch", description = "Then watch the job to its end (as zbpp watch).")
  boolean watch;

  @Option(names = "--json", description = "Print {\"id\": ...} (with --watch: then the events as JSON lines).")
  boolean json;

  @Override
  public Integer call() {
    SpecFiles.read(file);
    return super.call();
  }

  @Override
  int run(ZbppClient c) {
    String id = c.submit(SpecFiles.read(file));
    out().println(json ? Json.write(Map.of("id", id)) : id);
    out().flush();
    return watch ? WatchCommand.follow(c, id, json, out(), spec.commandLine().getErr()) : 0;
  }
}
