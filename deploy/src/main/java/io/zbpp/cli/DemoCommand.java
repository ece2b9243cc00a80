package io.zbpp.cli;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.ReferenceTrainer;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.gpu.pipeline.Sampler;
import io.zbpp.runtime.TimelineSvg;
import io.zbpp.runtime.TrainReport;
import io.zbpp.runtime.TrainSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zbpp demo}: the embedded default of docs/design.md. Trains the bundled small GPT on the bundled text with
 * ZB-2p on the cpu backend (p = 4 stages, m = 8 microbatches) through the actor runtime with {@code zbpp
 * train}'s default optimizer check (post-validation, no clipping), with a progress bar and the loss per
 * iteration, writes an HTML/SVG timeline of the last iteration as it ran, and ends with text
 * sampled from the trained parameters as the pipeline's parameter fetch returned them.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    versionProvider = Version.class,
    description = {"Train the bundled small GPT on the bundled text with ZB-2p on the cpu backend (p=4, m=8), "
        + "show the loss, write a timeline of what ran, and print text sampled from the trained model."})
public final class DemoCommand implements Callable<Integer> {
  static final String SCHEDULE = "zb-2p";
  static final String MODEL = "small";
  static final int STAGES = 4;
  static final int MICROBATCHES = 8;
  static final int MICROBATCH_SIZE = 2;
  static final String PROMPT = "The ";
  /** The longest sample: a few seconds of sampling on the small model. */
  static final int MAX_SAMPLE_LENGTH = 100_000;
  /** The highest sampling temperature: far flatter than uniform already. */
  static final double MAX_TEMPERATURE = 1000;
  /** The loss line of every n-th iteration is printed. */
  static final int LINE_EVERY = 10;

  @Option(names = "--iterations", paramLabel = "N", defaultValue = "200",
      description = "Training iterations, 1 to 1000000 (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
      description = "Seed of the parameters, the data order and the sampler (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--timeline", paramLabel = "FILE", defaultValue = "zbpp-demo-timeline.html",
      description = "Where to write the HTML/SVG timeline of the last iteration (default: ${DEFAULT-VALUE}).")
  Path timeline;

  @Option(names = "--sample-length", paramLabel = "N", defaultValue = "240",
      description = "Characters to sample after the prompt \"The \", 0 to 100000 (default: ${DEFAULT-VALUE}).")
  int sampleLength;

  @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.7",
      description = "Sampling temperature, 0 to 1000; 0 picks the most likely character (default: ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--processes", description = "Run the stages in child JVMs on 127.0.0.1 (a coordinator and one "
      + "worker per stage on Pekko Cluster); the parameters stay in the workers, so no text is sampled.")
  boolean processes;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    TrainJob job = resolve();
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "zbpp demo: the %s GPT (%,d parameters) learns the bundled text with %s on %d "
        + "stages, %d microbatches of %d sequences of %d bytes per iteration%n", MODEL,
        job.runner().model().totalParams(), SCHEDULE, STAGES, MICROBATCHES, MICROBATCH_SIZE,
        job.runner().model().seqLen());
    long t0 = System.nanoTime();
    ParameterTap tap = new ParameterTap(job.localChunks());
    TrainRunner runner = new TrainRunner(out, spec.commandLine().getErr(), false, LINE_EVERY);
    TrainReport r = processes ? runner.processes(job) : runner.pipeline(job, tap);
    OutputFile.write("--timeline", timeline,
        TimelineSvg.html(r, -1, PlannedRun.of(job.spec(), r).map(PlannedRun::timeline)));
    runner.report(job, r, timeline);
    out.printf(Locale.ROOT, "trained in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    if (processes) {
      out.println("no text sampled: with --processes the trained parameters stay in the worker JVMs");
      out.flush();
      return 0;
    }
    out.printf(Locale.ROOT, "sampled from the trained model (temperature %s, seed %d):%n", temperature, seed);
    out.println(printable(sample(tap.parameters(job.runner().chunks()), r.paramsSha256())));
    out.flush();
    return 0;
  }

  private TrainJob resolve() {
    Ranges.count("--iterations", iterations, 1, Ranges.MAX_ITERATIONS);
    Ranges.count("--sample-length", sampleLength, 0, MAX_SAMPLE_LENGTH);
    if (!(temperature >= 0) || temperature > MAX_TEMPERATURE) {
      throw new UsageException("--temperature [" + temperature + "]: expected a number >= 0 and <= "
          + (int) MAX_TEMPERATURE);
    }
    OutputFile.check("--timeline", timeline);
    GptConfig model = GptConfig.preset(MODEL);
    RunnerSpec runner = TrainJob.runner(model, Backend.CPU, seed, MICROBATCHES, MICROBATCH_SIZE, STAGES, 1);
    TrainSpec s = TrainSpec.builder(SCHEDULE, STAGES, MICROBATCHES).iterations(iterations)
        .availableChunks(model.layers()).model(TrainJob.shape(model, MICROBATCH_SIZE))
        .modelSpec(io.zbpp.stage.ModelChunks.specOf(runner))
        .postValidation(CheckOptions.defaultPostValidation(SCHEDULE)).build();
    TrainJob.validate(s);
    return new TrainJob(s, runner);
  }

  /** Text from the parameters the pipeline fetched; they must be the ones its digest covers. */
  private String sample(List<float[]> parameters, String digest) {
    if (!ReferenceTrainer.sha256(parameters).equals(digest)) {
      throw new IllegalStateException("the fetched parameters do not match paramsSha256 " + digest);
    }
    try (Sampler s = new Sampler(GptConfig.preset(MODEL), parameters)) {
      return s.generate(PROMPT, sampleLength, temperature, seed);
    }
  }

  /** Bytes a terminal shows as they are: printable ASCII and newlines; anything else becomes '?'. */
  static String printable(String text) {
    StringBuilder sb = new StringBuilder();
    for (char c : text.toCharArray()) {
      sb.append(c == '\n' || (c >= ' ' && c < 127) ? c : '?');
    }
    return sb.toString();
  }
}
