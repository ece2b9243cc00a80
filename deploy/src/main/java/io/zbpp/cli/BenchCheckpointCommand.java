package io.zbpp.cli;

import io.zbpp.checkpoint.CheckpointPolicy;
import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.CheckpointStats;
import io.zbpp.runtime.LocalTraining;
import io.zbpp.runtime.TrainReport;
import io.zbpp.runtime.TrainSpec;
import io.zbpp.schedule.Schedules;
import io.zbpp.stage.ModelChunks;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zbpp bench checkpoint}: what checkpoints cost (docs/faults.md "Checkpoints") — the same job on the cpu
 * backend with checkpoints off and every N iterations, interleaved over rounds in one JVM, side by side: mean
 * iteration time (the first iteration of each run left out) and the overhead.
 */
@Command(name = "checkpoint", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    versionProvider = Version.class,
    description = {"Checkpoints every N iterations against none, same job side by side on the cpu backend: "
        + "iteration time, overhead, checkpoint bytes and write time."})
public final class BenchCheckpointCommand implements Callable<Integer> {
  @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "1f1b",
      description = "The schedule (default: ${DEFAULT-VALUE}).")
  String schedule;

  @Option(names = "--model", paramLabel = "NAME", defaultValue = "small",
      description = "The model preset, tiny or small (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = {"-p", "--stages"}, paramLabel = "P", defaultValue = "4",
      description = "Pipeline stages (default: ${DEFAULT-VALUE}).")
  int stages;

  @Option(names = {"-m", "--microbatches"}, paramLabel = "M", defaultValue = "8",
      description = "Microbatches per iteration (default: ${DEFAULT-VALUE}).")
  int microbatches;

  @Option(names = "--iterations", paramLabel = "N", defaultValue = "11",
      description = "Iterations per run; the first is left out of the figures (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--every", paramLabel = "K", defaultValue = "5",
      description = "Checkpoint every K iterations (and after the last) in the checkpointed runs (default: "
          + "${DEFAULT-VALUE}).")
  int every;

  @Option(names = "--repeat", paramLabel = "R", defaultValue = "2",
      description = "Rounds over both modes, their order alternating against drift (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--json", description = "Print {\"rows\": [{\"mode\", \"iterationMillis\", \"jobSeconds\", "
      + "\"checkpoints\", \"checkpointBytes\", \"checkpointSeconds\", \"pauseMillisPerCheckpoint\", "
      + "\"pauseShare\"}], \"overhead\"} instead of the table.")
  boolean json;

  @Spec CommandSpec spec;

  /** One mode's figures; {@code pauseShare}: the stages' copy pauses over the run's summed iteration time. */
  private record Row(String mode, double iterationMillis, double jobSeconds, int checkpoints, long bytes,
      double seconds, double pauseMillis, double pauseShare) {}

  @Override
  public Integer call() throws IOException {
    check();
    GptConfig config = GptConfig.preset(model);
    RunnerSpec runner = RunnerSpec.of(model, Backend.CPU, 1, microbatches, 1, stages);
    TrainSpec train = TrainSpec.builder(schedule, stages, microbatches).iterations(iterations)
        .availableChunks(config.layers()).model(TrainJob.shape(config, 1)).modelSpec(ModelChunks.specOf(runner))
        .postValidation(CheckOptions.defaultPostValidation(schedule)).build();
    Path dir = Files.createTempDirectory("zbpp-bench-checkpoint");
    List<List<Row>> runs = List.of(new ArrayList<>(), new ArrayList<>());
    try (LocalTraining t = LocalTraining.open(false)) {
      for (int round = 0; round < repeat; round++) {
        for (int k = 0; k < 2; k++) {
          boolean on = (k + round) % 2 == 1;
          CheckpointPolicy policy = on ? new CheckpointPolicy(every, 1, dir.resolve("r" + round).toString(), "",
              List.of()) : CheckpointPolicy.OFF;
          long start = System.nanoTime();
          TrainReport r = t.train(train, policy, new LocalTraining.Listener() { });
          runs.get(on ? 1 : 0).add(row(on ? "every " + every : "off", r, (System.nanoTime() - start) / 1e9));
        }
      }
    } finally {
      delete(dir);
    }
    List<Row> rows = List.of(mean(runs.get(0)), mean(runs.get(1)));
    double overhead = rows.get(1).iterationMillis() / rows.get(0).iterationMillis() - 1;
    print(rows, overhead);
    return 0;
  }

  private static Row row(String mode, TrainReport r, double jobSeconds) {
    List<Double> ms = r.iterationMillis();
    double mean = ms.subList(1, ms.size()).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    CheckpointStats c = r.checkpoints();
    double runMillis = ms.stream().mapToDouble(Double::doubleValue).sum();
    int taken = Math.max(1, c.written() + c.failed());
    return new Row(mode, mean, jobSeconds, c.written(), c.bytes(), c.seconds(), 1000 * c.pauseSeconds() / taken,
        1000 * c.pauseSeconds() / runMillis);
  }

  private static Row mean(List<Row> rows) {
    int n = rows.size();
    return new Row(rows.get(0).mode(), rows.stream().mapToDouble(Row::iterationMillis).sum() / n,
        rows.stream().mapToDouble(Row::jobSeconds).sum() / n, rows.get(0).checkpoints(), rows.get(0).bytes(),
        rows.stream().mapToDouble(Row::seconds).sum() / n, rows.stream().mapToDouble(Row::pauseMillis).sum() / n,
        rows.stream().mapToDouble(Row::pauseShare).sum() / n);
  }

  private void print(List<Row> rows, double overhead) {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      List<Map<String, Object>> list = new ArrayList<>();
      for (Row r : rows) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("mode", r.mode());
        o.put("iterationMillis", r.iterationMillis());
        o.put("jobSeconds", r.jobSeconds());
        o.put("checkpoints", r.checkpoints());
        o.put("checkpointBytes", r.bytes());
        o.put("checkpointSeconds", r.seconds());
        o.put("pauseMillisPerCheckpoint", r.pauseMillis());
        o.put("pauseShare", r.pauseShare());
        list.add(o);
      }
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("schedule", schedule);
      o.put("model", model);
      o.put("stages", stages);
      o.put("microbatches", microbatches);
      o.put("iterations", iterations);
      o.put("repeat", repeat);
      o.put("rows", list);
      o.put("overhead", overhead);
      out.println(Json.write(o));
    } else {
      out.printf(Locale.ROOT, "%s, %s model, cpu, p=%d m=%d, %d iterations (first left out) x %d rounds%n", schedule,
          model, stages, microbatches, iterations, repeat);
      out.printf(Locale.ROOT, "%-12s %14s %10s %8s %12s %18s %14s %12s%n", "checkpoints", "iteration ms", "job s",
          "written", "bytes each", "write s (summed)", "pause ms each", "pause share");
      for (Row r : rows) {
        out.printf(Locale.ROOT, "%-12s %14.1f %10.2f %8d %12d %18.3f %14.2f %11.2f%%%n", r.mode(),
            r.iterationMillis(), r.jobSeconds(), r.checkpoints(), r.checkpoints() == 0 ? 0 : r.bytes() / r.checkpoints(),
            r.seconds(), r.pauseMillis(), 100 * r.pauseShare());
      }
      out.printf(Locale.ROOT, "checkpoint overhead: %+.1f%% of iteration time side by side; the copies paused the "
          + "stages for %.2f%% of it (goal: at most 5%%)%n", 100 * overhead, 100 * rows.get(1).pauseShare());
    }
    out.flush();
  }

  private void check() {
    if (!model.equals("tiny") && !model.equals("small")) {
      throw new UsageException("--model [" + model + "]: expected tiny or small (the cpu backend)");
    }
    Ranges.count("--stages", stages, 1, GptConfig.preset(model).layers());
    Ranges.count("--microbatches", microbatches, 1, Ranges.MAX_ITERATIONS);
    Ranges.count("--iterations", iterations, 2, Ranges.MAX_ITERATIONS);
    Ranges.count("--every", every, 1, iterations);
    Ranges.count("--repeat", repeat, 1, BenchPostvalCommand.MAX_REPEAT);
    try {
      Schedules.byName(schedule);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
