package io.zbpp.cli;

import picocli.CommandLine.Parameters;

/** A client command about one job, named by its id. */
abstract class OneJobCommand extends ClientCommand {
  @Parameters(paramLabel = "ID", description = "The job's id (zbpp submit prints it, zbpp jobs lists them), "
      + "e.g. job-000001.")
  String id;
}
