package io.zbpp.runtime;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.paper.PaperSetting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures the runtime on an emulated pipeline (the acceptance run): a paper setting's profiled
 * times (docs/design.md §7; default the 1.5B model, p=8, m=24) scaled to a few ms, every registered schedule
 * run side by side in one JVM on the emulated backend ({@link EmulatedBackend}), printing predicted vs
 * realized bubble rate, iteration time, throughput against 1F1B, and the measured per-message latency on
 * waited-for edges. {@code zbpp bench runtime} is the same run from the command line.
 *
 * <pre>
 * java -cp ... io.zbpp.runtime.RuntimeBench [--setting 0] [--scale 0.2] [--iterations 6]
 *     [--schedules 1f1b,zb-h1,zb-2p] [--plan NAME=FILE ...]
 * </pre>
 */
public final class RuntimeBench {
  private RuntimeBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    Map<String, String> plans = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (args[i].equals("--plan")) {
        String[] kv = args[i + 1].split("=", 2);
        plans.put(kv[0], Files.readString(Path.of(kv[1])));
      } else {
        opts.put(args[i], args[i + 1]);
      }
    }
    PaperSetting ps = PaperSetting.all().get(Integer.parseInt(opts.getOrDefault("--setting", "0")));
    double scale = Double.parseDouble(opts.getOrDefault("--scale", "0.2"));
    int iterations = Integer.parseInt(opts.getOrDefault("--iterations", "6"));
    List<String> schedules = opts.containsKey("--schedules")
        ? Arrays.asList(opts.get("--schedules").split(",")) : Schedules.names();
    long overshoot = EmulatedBackend.calibrate();
    System.out.println(header(ps, scale, iterations, overshoot));
    Map<String, TrainReport> reports = new LinkedHashMap<>();
    try (LocalTraining training = LocalTraining.open(false)) {
      for (String name : schedules) {
        reports.put(name, run(training, ps, scale, iterations, name, ""));
      }
      for (var e : plans.entrySet()) {
        reports.put(e.getKey(), run(training, ps, scale, iterations, "custom", e.getValue()));
      }
    }
    TrainReport base = reports.get("1f1b");
    for (var e : reports.entrySet()) {
      System.out.println(line(e.getKey(), e.getValue(), base));
    }
  }

  /** The first lines of the table: the setting, the scaled times, the overshoot, the column names. */
  public static String header(PaperSetting ps, double scale, int iterations, long overshootNanos) {
    return String.format(Locale.ROOT, "%s, times x%.3f: T_F %.3f ms, T_B %.3f, T_W %.3f, T_comm %.3f; sleep overshoot "
        + "%d us (compensated); %d iterations, first left out%n", ps.label(), scale, ps.tf() * scale,
        ps.tb() * scale, ps.tw() * scale, ps.comm() * scale, overshootNanos / 1000, iterations)
        + String.format(Locale.ROOT, "%-12s %9s %9s %7s %9s %10s %9s %s", "schedule", "predicted", "realized",
        "|diff|", "iter ms", "samples/s", "vs 1f1b", "msg latency ms median/mean (n)");
  }

  /**
   * Runs schedule {@code name} (or the plan text, when not empty) on the setting's emulated pipeline: its
   * profiled times × {@code scale} in ms, the model preset's memory, v = 2 for 1f1b-i and zb-v.
   */
  public static TrainReport run(LocalTraining training, PaperSetting ps, double scale, int iterations,
      String name, String plan) {
    return training.train(spec(ps, scale, iterations, name, plan));
  }

  /** The job {@link #run} trains: the setting's emulated pipeline for schedule {@code name} or the plan text. */
  public static TrainSpec spec(PaperSetting ps, double scale, int iterations, String name, String plan) {
    int v = name.equals("zb-v") || name.equals("1f1b-i") ? 2 : 1;
    RunnerSpec base = RunnerSpec.of(ps.model().toLowerCase(Locale.ROOT), Backend.EMULATED, 1, ps.microbatches(),
        ps.microbatchSize(), ps.stages() * v);
    List<Double> f = List.of(ps.tf() * scale);
    List<Double> b = List.of(ps.tb() * scale);
    List<Double> w = List.of(ps.tw() * scale);
    TrainSpec spec = TrainSpec.builder(name, ps.stages(), ps.microbatches()).iterations(iterations)
        .planText(plan).chunksPerStage(v)
        .costs(f, b, w, ps.comm() * scale)
        .model(new ModelShape(ps.layers(), ps.hidden(), ps.heads(), PaperSetting.SEQUENCE_LENGTH,
            ps.microbatchSize()))
        .modelSpec(EmulatedBackend.model(base, f, b, w))
        .availableChunks(ps.layers()).build();
    return spec;
  }

  /** Mean measured time of each pass kind (steady iterations), to compare with the requested times. */
  public static String passMeans(TrainReport r) {
    Map<String, double[]> sum = new java.util.TreeMap<>();
    for (TrainReport.TimelineBar b : r.timeline()) {
      if (b.iteration() > 0) {
        double[] s = sum.computeIfAbsent(b.op(), k -> new double[2]);
        s[0] += b.endMillis() - b.startMillis();
        s[1]++;
      }
    }
    StringBuilder sb = new StringBuilder();
    sum.forEach((op, s) -> sb.append(op).append(String.format(Locale.ROOT, "=%.3f ", s[0] / s[1])));
    return sb.toString().strip();
  }

  /** Median and mean (ms) and count of the message latencies on waited-for cross-stage edges. */
  public static double[] latency(TrainReport r) {
    int chunks = r.timeline().stream().mapToInt(TrainReport.TimelineBar::chunk).max().orElse(0) + 1;
    List<Double> lat = new ArrayList<>(MessageLatency.of(r, chunks));
    lat.sort(Double::compare);
    double median = lat.isEmpty() ? Double.NaN : lat.get(lat.size() / 2);
    double mean = lat.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    return new double[] {median, mean, lat.size()};
  }

  /** Mean iteration time in ms, the first iteration left out when there are several. */
  public static double steadyIterationMillis(TrainReport r) {
    List<Double> ms = r.iterationMillis();
    return ms.subList(ms.size() > 1 ? 1 : 0, ms.size()).stream().mapToDouble(Double::doubleValue).average()
        .orElse(Double.NaN);
  }

  /** One row of the table; throughput relative to {@code base} (1F1B) when there is one. */
  public static String line(String name, TrainReport r, TrainReport base) {
    double[] lat = latency(r);
    String ratio = base == null ? "n/a" : String.format(Locale.ROOT, "%+.1f%%",
        100 * (r.samplesPerSecond() / base.samplesPerSecond() - 1));
    return String.format(Locale.ROOT, "%-12s %9.4f %9.4f %7.4f %9.1f %10.1f %9s %.3f/%.3f (%d)  pass ms %s", name,
        r.predictedBubbleRate(), r.realizedBubbleRate(), Math.abs(r.realizedBubbleRate() - r.predictedBubbleRate()),
        steadyIterationMillis(r), r.samplesPerSecond(), ratio, lat[0], lat[1], (int) lat[2], passMeans(r));
  }
}
