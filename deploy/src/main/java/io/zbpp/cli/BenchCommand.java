package io.zbpp.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code zbpp bench}: the parent of the benchmark reports; add a report as one more subcommand class. */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Benchmark reports.", subcommands = {BenchPaperCommand.class, BenchRuntimeCommand.class,
        BenchOpsCommand.class, BenchPostvalCommand.class, BenchTransportCommand.class, BenchReplanCommand.class,
        BenchFaultsCommand.class, BenchCheckpointCommand.class})
public final class BenchCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(),
        "zbpp bench: missing report; expected one of " + String.join(", ", spec.subcommands().keySet()));
  }
}
