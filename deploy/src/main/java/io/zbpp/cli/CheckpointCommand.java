package io.zbpp.cli;

import io.zbpp.checkpoint.CheckpointStore;
import io.zbpp.checkpoint.DirectoryCheckpointStore;
import io.zbpp.protocol.checkpoint.Manifest;
import io.zbpp.protocol.checkpoint.ShardEntry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code zbpp checkpoint list|verify DIR}: the checkpoints in a directory (docs/faults.md "Checkpoints"). */
@Command(name = "checkpoint", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Checkpoints in a directory: list them, verify the latest.",
    subcommands = {CheckpointCommand.ListCheckpoints.class, CheckpointCommand.Verify.class})
public final class CheckpointCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(),
        "zbpp checkpoint: missing command; expected one of " + String.join(", ", spec.subcommands().keySet()));
  }

  private static CheckpointStore store(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new UsageException("DIR [" + dir + "]: not a directory; expected a --checkpoint-dir");
    }
    return new DirectoryCheckpointStore(dir, DirectoryCheckpointStore.DEFAULT_KEEP);
  }

  /** {@code zbpp checkpoint list DIR [--json]}: every checkpoint directory, oldest first. */
  @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = "Every checkpoint in DIR, oldest first: iteration, complete or not, shards, bytes, job.")
  static final class ListCheckpoints implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "The checkpoint directory.")
    Path dir;

    @Option(names = "--json", description = "Print {\"checkpoints\": [{\"name\", \"iteration\", \"complete\", "
        + "\"shards\", \"bytes\", \"jobId\", \"created\", \"problem\"}, ...]} instead of the table.")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      List<CheckpointStore.Entry> entries = store(dir).list();
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (CheckpointStore.Entry e : entries) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("name", e.name());
          row.put("iteration", e.iteration());
          row.put("complete", e.complete());
          row.put("shards", e.manifest().map(Manifest::getShardsCount).orElse(0));
          row.put("bytes", e.bytes());
          row.put("jobId", e.manifest().map(Manifest::getJobId).orElse(""));
          row.put("created", e.manifest().map(Manifest::getCreated).orElse(""));
          row.put("problem", e.problem());
          rows.add(row);
        }
        out.println(Json.write(Map.of("checkpoints", rows)));
      } else {
        out.printf(Locale.ROOT, "%-14s %9s %-10s %6s %12s  %-24s %s%n", "checkpoint", "iteration", "state", "shards",
            "bytes", "created", "job");
        for (CheckpointStore.Entry e : entries) {
          out.printf(Locale.ROOT, "%-14s %9d %-10s %6d %12d  %-24s %s%n", e.name(), e.iteration(),
              e.complete() ? "complete" : "partial", e.manifest().map(Manifest::getShardsCount).orElse(0),
              e.bytes(), e.manifest().map(Manifest::getCreated).orElse("-"),
              e.manifest().map(Manifest::getJobId).orElse(e.problem()));
        }
      }
      out.flush();
      return 0;
    }
  }

  /** {@code zbpp checkpoint verify DIR}: 0 when the latest complete checkpoint is valid, else 1 and one line. */
  @Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = "Checks the latest complete checkpoint in DIR (manifest, every shard's size and SHA-256): "
          + "exit 0 when valid, 1 with one line naming the bad shard otherwise.")
  static final class Verify implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "The checkpoint directory.")
    Path dir;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      CheckpointStore store = store(dir);
      Optional<CheckpointStore.Entry> latest = store.list().stream().filter(CheckpointStore.Entry::complete)
          .reduce((a, b) -> b);
      if (latest.isEmpty()) {
        throw new RunFailure(dir + ": no complete checkpoint (a ckpt-NNNNNN directory with its MANIFEST.json)");
      }
      CheckpointStore.Entry e = latest.get();
      Optional<String> bad = store.verify(e.iteration());
      if (bad.isPresent()) {
        throw new RunFailure(dir + "/" + bad.get());
      }
      Manifest m = e.manifest().orElseThrow();
      PrintWriter out = spec.commandLine().getOut();
      out.printf(Locale.ROOT, "%s: valid (%d shards, %d bytes, SHA-256 checked; job %s, %d stages)%n", e.name(),
          m.getShardsCount(), m.getShardsList().stream().mapToLong(ShardEntry::getBytes).sum(), m.getJobId(),
          m.getStages());
      out.flush();
      return 0;
    }
  }
}
