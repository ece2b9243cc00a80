package io.zbpp.cli;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.jobs.JobSpec;
import io.zbpp.runtime.DataPlaneKind;
import io.zbpp.runtime.JobSpecFlags;
import io.zbpp.runtime.ReplanPolicy;
import io.zbpp.runtime.TimelineSvg;
import io.zbpp.runtime.TrainReport;
import io.zbpp.runtime.TrainSpec;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zbpp train}: trains the chosen model preset on the bundled text with a pipeline schedule in this JVM
 * (a coordinator actor and one stage actor per stage, messages as in a cluster), or with {@code --schedule
 * reference} on one device with the same data; reports the losses, the parameter digest, predicted and
 * realized bubble rate and throughput as text or one JSON object, and optionally writes an HTML/SVG timeline
 * of what actually ran. Bad input: one line on stderr, exit 2, before any actor starts.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    versionProvider = Version.class,
    description = {"Train a GPT on the bundled text with a pipeline schedule in this JVM (coordinator + one "
        + "stage actor per stage), or with --schedule reference on one device with the same data.",
        "--schedule also takes 'reference' (the single-device trainer).",
        "Exit code 0: trained; 2: bad input."})
public final class TrainCommand implements Callable<Integer> {
  /** The single-device trainer's name for {@code --schedule}. */
  static final String REFERENCE = "reference";

  @Mixin PipelineOptions pipeline;

  @Option(names = "--iterations", required = true, paramLabel = "N", description = "Training iterations, 1 to 1000000.")
  int iterations;

  @Option(names = "--model", paramLabel = "PRESET", defaultValue = "small",
      description = "Model preset: tiny, small, 1.5b, 6.2b, 14.6b, 28.3b (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--backend", paramLabel = "NAME", defaultValue = "cpu",
      description = "cpu (OpenBLAS, bit-exact), cuda (falls back to cpu without a GPU) or emulated (passes "
          + "sleep the --cost-* times in ms, no arithmetic) (default: ${DEFAULT-VALUE}).")
  String backend;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
      description = "Seed of the parameters and the data order (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--microbatch-size", paramLabel = "B", defaultValue = "1",
      description = "Sequences per microbatch (default: ${DEFAULT-VALUE}).")
  int microbatchSize;

  @Option(names = "--data-plane", paramLabel = "KIND", defaultValue = "memory",
      description = "How activations and gradients travel between the stage actors: memory (in-memory data "
          + "planes), netty (one Netty data plane per stage on 127.0.0.1, plain TCP) or artery (actor messages "
          + "of zbpp.protocol.max-frame-bytes); in one JVM only: with --processes they go over Artery "
          + "(default: ${DEFAULT-VALUE}).")
  String dataPlane;

  @Mixin TrainCosts costs;

  @Mixin CheckOptions check;

  @Option(names = "--replan", paramLabel = "MODE",
      description = "Re-plan from measured costs while training (docs/replan.md): off, once or continuous "
          + "(default: continuous for zb-1p, zb-2p and zb-auto, off for the other schedules).")
  String replan;

  @Option(names = "--replan-threshold", paramLabel = "PCT",
      description = "The smallest predicted gain that swaps plans, percent of the running plan's iteration "
          + "time, > 0 and < 100 (default: 3).")
  double replanThreshold;

  @Option(names = "--checkpoint-every", paramLabel = "N",
      description = "Take a checkpoint every N iterations and after the last, into --checkpoint-dir (default: none; "
          + "docs/faults.md).")
  Integer checkpointEvery;

  @Option(names = "--checkpoint-dir", paramLabel = "DIR",
      description = "Where checkpoints go: DIR/ckpt-NNNNNN/ per checkpoint (default with --resume: the directory "
          + "resumed from).")
  String checkpointDir;

  @Option(names = "--checkpoint-keep", paramLabel = "K",
      description = "Keep the newest K complete checkpoints (default: 3).")
  Integer checkpointKeep;

  @Option(names = "--resume", paramLabel = "DIR",
      description = "Start from the latest complete, valid checkpoint in DIR (same model, stages, microbatches and "
          + "chunk placement) and run the iterations after it.")
  String resume;

  @Mixin FaultOptions faults;

  @Option(names = "--processes", description = "Run the job across child JVMs on 127.0.0.1: a coordinator and one "
      + "worker per stage on Pekko Cluster, every message over the network; all stop when this command ends.")
  boolean processes;

  @Option(names = "--json", description = "Print one JSON object instead of the summary (no progress bar).")
  boolean json;

  @Option(names = "--timeline", paramLabel = "FILE",
      description = "Write an HTML page with an SVG timeline of the last iteration as it actually ran.")
  Path timeline;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    TrainJob job = resolve();
    TrainRunner runner = new TrainRunner(spec.commandLine().getOut(), spec.commandLine().getErr(), json, 1);
    TrainReport r = isReference() ? runner.reference(job)
        : processes ? runner.processes(job) : runner.pipeline(job);
    if (timeline != null) {
      OutputFile.write("--timeline", timeline,
        TimelineSvg.html(r, -1, PlannedRun.of(job.spec(), r).map(PlannedRun::timeline)));
    }
    runner.report(job, r, timeline);
    return 0;
  }

  private boolean isReference() {
    return REFERENCE.equals(pipeline.schedule);
  }

  /**
   * The job these options give: every option checked (messages name the options), then the job spec they
   * build ({@link JobSpecFlags#spec}) resolved by {@link #resolve(JobSpec)}, the function the job API resolves
   * its specs with. Nothing starts before this returns.
   */
  TrainJob resolve() {
    options();
    Map<String, Object> given = new HashMap<>();
    for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
      boolean path = o.longestName().equals("--checkpoint-dir") || o.longestName().equals("--resume");
      // absolute: the coordinator and the stages (child JVMs with --processes) may run elsewhere
      given.put(o.longestName(), path ? Path.of(o.getValue().toString()).toAbsolutePath().toString() : o.getValue());
    }
    return resolve(JobSpecFlags.spec(given));
  }

  /**
   * The one resolution of a job spec, for {@code zbpp train} and the job API: the spec's fields become the
   * options ({@link JobSpecFlags#args}), which are checked and resolved as on the command line; the resolved
   * job carries the spec verbatim.
   *
   * @throws UsageException or picocli's ParameterException naming the first bad option
   */
  static TrainJob resolve(JobSpec given) {
    CommandLine cl = new CommandLine(new TrainCommand());
    cl.parseArgs(JobSpecFlags.args(given).toArray(String[]::new));
    TrainJob job = ((TrainCommand) cl.getCommand()).options();
    return new TrainJob(job.spec().withSpec(given), job.runner());
  }

  /** Checks every option, in the order a user reads them, and resolves the job. */
  private TrainJob options() {
    Backend b = TrainJob.backend(backend);
    GptConfig m = TrainJob.model(model);
    TrainJob.checkPresetFitsBackend(m, b, model);
    int v = isReference() ? referenceChunks(b) : pipeline.shape().chunksPerStage();
    Ranges.count("--iterations", iterations, 1, Ranges.MAX_ITERATIONS);
    faults.check();
    if (timeline != null) {
      if (isReference()) {
        throw new UsageException("--timeline [" + timeline + "]: the reference trainer runs no pipeline; expected "
            + "a pipeline schedule");
      }
      OutputFile.check("--timeline", timeline);
    }
    if (processes && isReference()) {
      throw new UsageException("--processes: the reference trainer runs on one device in this JVM; expected a "
          + "pipeline schedule");
    }
    RunnerSpec runner = TrainJob.runner(m, b, seed, pipeline.microbatches, microbatchSize, pipeline.stages, v);
    TrainJob.checkFitsHeap(m, b, pipeline.microbatches, microbatchSize, Runtime.getRuntime().maxMemory());
    TrainSpec.Builder s = TrainSpec.builder(isReference() ? REFERENCE : pipeline.schedule(), pipeline.stages,
        pipeline.microbatches).chunksPerStage(v).iterations(iterations).availableChunks(m.layers())
        .model(TrainJob.shape(m, microbatchSize));
    costs.apply(s, pipeline.stages, b == Backend.EMULATED);
    if (b == Backend.EMULATED) {
      costs.checkEmulatedDuration(pipeline.stages, pipeline.microbatches, iterations);
    }
    check.apply(s, isReference() ? REFERENCE : pipeline.schedule(), isReference(), pipeline.stages, iterations);
    checkCheckpoints(b);
    if (!isReference()) {
      try {
        ReplanPolicy.of(replan == null ? "" : replan, replanThreshold, pipeline.schedule(), false);
      } catch (IllegalArgumentException e) {
        throw new UsageException(JobSpecFlags.message(e.getMessage()));
      }
    }
    s.dataPlane(dataPlane(dataPlane));
    TrainSpec trainSpec = s.modelSpec(costs.emulatedTruth(TrainJob.modelSpec(runner, s.build()), pipeline.stages,
        iterations, b == Backend.EMULATED)).build();
    if (!isReference()) {
      TrainJob.validate(trainSpec);
    }
    return new TrainJob(trainSpec, runner);
  }

  /** The checkpoint options: values in range, a pipeline schedule, a backend with parameters. */
  private void checkCheckpoints(Backend b) {
    String given = checkpointEvery != null && checkpointEvery > 0 ? "--checkpoint-every [" + checkpointEvery + "]"
        : resume != null ? "--resume [" + resume + "]" : null;
    if (checkpointEvery != null) {
      Ranges.count("--checkpoint-every", checkpointEvery, 0, Ranges.MAX_ITERATIONS);
    }
    if (checkpointKeep != null) {
      Ranges.count("--checkpoint-keep", checkpointKeep, 1, Ranges.MAX_ITERATIONS);
    }
    if (given == null) {
      return;
    }
    if (isReference()) {
      throw new UsageException(given + ": the reference trainer takes no checkpoints; expected a pipeline schedule");
    }
    if (b == Backend.EMULATED) {
      throw new UsageException(given + ": the emulated backend has no parameters to save; expected cpu or cuda");
    }
    if (checkpointEvery != null && checkpointEvery > 0 && checkpointDir == null && resume == null) {
      throw new UsageException("--checkpoint-every [" + checkpointEvery + "]: needs --checkpoint-dir DIR");
    }
    for (String dir : new String[] {checkpointDir, resume}) {
      if (dir != null && java.nio.file.Files.exists(Path.of(dir)) && !java.nio.file.Files.isDirectory(Path.of(dir))) {
        throw new UsageException((dir.equals(resume) ? "--resume [" : "--checkpoint-dir [") + dir
            + "]: is a file; expected a directory");
      }
    }
  }

  /** The {@code --data-plane} value, or a usage error naming it. */
  static DataPlaneKind dataPlane(String value) {
    try {
      return DataPlaneKind.parse(value);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** v of the reference run (its chunks only split the model, the result is the same), after checking p, m. */
  private int referenceChunks(Backend b) {
    checkCounts();
    if (b == Backend.EMULATED) {
      throw new UsageException("--backend [" + backend + "]: the reference trainer computes the model; expected cpu "
          + "or cuda");
    }
    return pipeline.chunks == null ? 1 : pipeline.chunks;
  }

  /** p, m and v of the reference run, which takes no registered schedule. */
  private void checkCounts() {
    if (pipeline.stages < 1) {
      throw new UsageException("--stages [" + pipeline.stages + "]: must be at least 1");
    }
    if (pipeline.microbatches < 1) {
      throw new UsageException("--microbatches [" + pipeline.microbatches + "]: must be at least 1");
    }
    if (pipeline.chunks != null && pipeline.chunks < 1) {
      throw new UsageException("--chunks [" + pipeline.chunks + "]: must be at least 1");
    }
  }
}
