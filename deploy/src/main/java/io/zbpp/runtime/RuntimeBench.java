package io.zbpp.runtime;

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
 * times (PAPER.md §7; default the 1.5B model, p=8, m=24) scaled to a few ms, every registered schedule
 * run side by side in one JVM with {@link SleepingChunkRunner}s, printing predicted vs realized bubble rate,
 * iteration time, throughput against 1F1B, and the measured per-message latency on waited-for edges.
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
    long overshoot = SleepingChunkRunner.calibrate();
    System.out.printf(Locale.ROOT, "%s, times x%.3f: T_F %.3f ms, T_B %.3f, T_W %.3f, T_comm %.3f; park overshoot "
        + "%d us (compensated); %d iterations, first left out%n", ps.label(), scale, ps.tf() * scale,
        ps.tb() * scale, ps.tw() * scale, ps.comm() * scale, overshoot / 1000, iterations);
    System.out.printf(Locale.ROOT, "%-12s %9s %9s %7s %9s %10s %9s %s%n", "schedule", "predicted", "realized",
        "|diff|", "iter ms", "samples/s", "vs 1f1b", "msg latency ms median/mean (n)");
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
      print(e.getKey(), e.getValue(), base, ps.stages());
    }
  }

  private static TrainReport run(LocalTraining training, PaperSetting ps, double scale, int iterations,
      String name, String plan) {
    double factor = name.equals("zb-1p") ? 1 : name.equals("zb-2p") ? 2 : 0;
    TrainSpec spec = TrainSpec.builder(name, ps.stages(), ps.microbatches()).iterations(iterations)
        .planText(plan).chunksPerStage(name.equals("zb-v") || name.equals("1f1b-i") ? 2 : 1)
        .costs(List.of(ps.tf() * scale), List.of(ps.tb() * scale), List.of(ps.tw() * scale), ps.comm() * scale)
        .model(new ModelShape(ps.layers(), ps.hidden(), ps.heads(), PaperSetting.SEQUENCE_LENGTH,
            ps.microbatchSize()))
        .memLimitFactor(factor).build();
    return training.train(spec, SleepingChunkRunner.emulating(spec, 1024));
  }

  /** Mean measured time of each pass kind (steady iterations), to compare with the requested times. */
  private static String passMeans(TrainReport r) {
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

  private static void print(String name, TrainReport r, TrainReport base, int p) {
    int chunks = r.timeline().stream().mapToInt(TrainReport.TimelineBar::chunk).max().orElse(0) + 1;
    List<Double> lat = new ArrayList<>(MessageLatency.of(r, chunks));
    lat.sort(Double::compare);
    double median = lat.isEmpty() ? Double.NaN : lat.get(lat.size() / 2);
    double mean = lat.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    double iterMs = r.iterationMillis().subList(1, r.iterationMillis().size()).stream()
        .mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    String ratio = base == null ? "n/a" : String.format(Locale.ROOT, "%+.1f%%",
        100 * (r.samplesPerSecond() / base.samplesPerSecond() - 1));
    System.out.printf(Locale.ROOT, "%-12s %9.4f %9.4f %7.4f %9.1f %10.1f %9s %.3f/%.3f (%d)  pass ms %s%n", name,
        r.predictedBubbleRate(), r.realizedBubbleRate(), Math.abs(r.realizedBubbleRate() - r.predictedBubbleRate()),
        iterMs, r.samplesPerSecond(), ratio, median, mean, lat.size(), passMeans(r));
  }
}
