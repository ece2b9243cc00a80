package io.zbpp.runtime;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.pipeline.RunnerSpec;

import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.schedule.paper.PaperSetting;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Issue 6's throughput comparison (docs/post-validation.md): one schedule (default ZB-2p) on a paper setting
 * (default the 1.5B model, p=8, m=24) with emulated passes ({@link EmulatedBackend}), run side by side in
 * one JVM with the synchronous all-reduce ({@code --post-validation off}) and with post-validation
 * ({@code on}), plus the runtime without any check for reference, the modes interleaved over
 * {@code --repeat} rounds. Prints per mode the steady iteration time (completion to completion), throughput, the
 * per-iteration realized bubble ({@link RealizedBubble}: spans inside one iteration) and the <em>boundary</em>
 * bubble 1 − busiest stage's work / iteration time, which also counts the idle time between iterations that
 * the synchronous check adds. The command is {@code zbpp bench postval} ({@code io.zbpp.cli.BenchPostvalCommand}).
 */
public final class PostValidationBench {
  private PostValidationBench() {}

  /** One measured run: steady means over the iterations after the first. */
  public record Row(String mode, double iterationMillis, double samplesPerSecond, double realizedBubble,
      double boundaryBubble) {}

  /** The modes {@link #compare} measures, in row order. */
  public static final List<String> MODES = List.of("no check", "post-validation off", "post-validation on");

  /** The first line: what runs, the scaled pass times, the sleep overshoot and the repetitions. */
  public static String header(String schedule, PaperSetting ps, double scale, long overshootNanos, int iterations,
      int repeat) {
    return String.format(Locale.ROOT, "%s %s, times x%.3f: T_F %.3f ms, T_B %.3f, T_W %.3f; park overshoot %d us; "
        + "%d iterations (first left out) x %d rounds", schedule, ps.label(), scale, ps.tf() * scale,
        ps.tb() * scale, ps.tw() * scale, overshootNanos / 1000, iterations, repeat);
  }

  /** The table's column titles, aligned with {@link #line}. */
  public static String columns() {
    return String.format(Locale.ROOT, "%-20s %9s %10s %9s %9s", "mode", "iter ms", "samples/s", "realized",
        "boundary");
  }

  public static String line(Row r) {
    return String.format(Locale.ROOT, "%-20s %9.1f %10.1f %9.4f %9.4f", r.mode(), r.iterationMillis(),
        r.samplesPerSecond(), r.realizedBubble(), r.boundaryBubble());
  }

  /** Post-validation's throughput over the synchronous check's, from the rows of {@link #compare}. */
  public static double postValidationVsSync(List<Row> rows) {
    return rows.get(2).samplesPerSecond() / rows.get(1).samplesPerSecond();
  }

  /** Rows for: no check, {@code --post-validation off}, {@code --post-validation on}; means over rounds. */
  public static List<Row> compare(PaperSetting ps, double scale, int iterations, int repeat, String schedule) {
    String[] modes = MODES.toArray(String[]::new);
    List<List<Row>> runs = new ArrayList<>();
    for (int k = 0; k < modes.length; k++) {
      runs.add(new ArrayList<>());
    }
    try (LocalTraining training = LocalTraining.open(false)) {
      for (int round = 0; round < repeat; round++) {
        for (int k = 0; k < modes.length; k++) {
          int mode = round % 2 == 0 ? k : modes.length - 1 - k; // alternate the order against drift
          TrainSpec spec = spec(ps, scale, iterations, schedule, mode);
          TrainSpec emulated = spec.withModelSpec(EmulatedBackend.model(base(ps, spec), spec.costF(), spec.costB(),
              spec.costW()));
          runs.get(mode).add(measure(modes[mode], training.train(emulated)));
        }
      }
    }
    List<Row> out = new ArrayList<>();
    for (int k = 0; k < modes.length; k++) {
      List<Row> rs = runs.get(k);
      out.add(new Row(modes[k], mean(rs, Row::iterationMillis), mean(rs, Row::samplesPerSecond),
          mean(rs, Row::realizedBubble), mean(rs, Row::boundaryBubble)));
    }
    return out;
  }

  /** The emulated model of the setting, cut into the job's p·v chunks. */
  private static RunnerSpec base(PaperSetting ps, TrainSpec spec) {
    return RunnerSpec.of(ps.model().toLowerCase(Locale.ROOT), Backend.EMULATED, 1, ps.microbatches(),
        ps.microbatchSize(), spec.stages() * spec.chunksPerStage());
  }

  private static TrainSpec spec(PaperSetting ps, double scale, int iterations, String schedule, int mode) {
    TrainSpec.Builder b = TrainSpec.builder(schedule, ps.stages(), ps.microbatches()).iterations(iterations)
        .chunksPerStage(schedule.equals("zb-v") || schedule.equals("1f1b-i") ? 2 : 1)
        .costs(List.of(ps.tf() * scale), List.of(ps.tb() * scale), List.of(ps.tw() * scale), ps.comm() * scale)
        .model(new ModelShape(ps.layers(), ps.hidden(), ps.heads(), PaperSetting.SEQUENCE_LENGTH,
            ps.microbatchSize()))
        .memLimitFactor(schedule.equals("zb-1p") ? 1 : schedule.equals("zb-2p") ? 2 : 0);
    if (mode > 0) {
      b.postValidation(mode == 2);
    }
    return b.build();
  }

  /** Steady means; the boundary bubble from the busiest stage's summed pass time per iteration. */
  static Row measure(String mode, TrainReport r) {
    List<Double> ms = r.iterationMillis().subList(1, r.iterationMillis().size());
    double iterMs = ms.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    Map<Integer, Map<Integer, Double>> busy = new TreeMap<>();
    for (TrainReport.TimelineBar bar : r.timeline()) {
      if (bar.iteration() > 0) {
        busy.computeIfAbsent(bar.iteration(), k -> new TreeMap<>())
            .merge(bar.stage(), bar.endMillis() - bar.startMillis(), Double::sum);
      }
    }
    double work = busy.values().stream().mapToDouble(m -> m.values().stream().mapToDouble(Double::doubleValue)
        .max().orElse(0)).average().orElse(Double.NaN);
    return new Row(mode, iterMs, r.samplesPerSecond(), r.realizedBubbleRate(), 1 - work / iterMs);
  }

  private static double mean(List<Row> rs, java.util.function.ToDoubleFunction<Row> f) {
    return rs.stream().mapToDouble(f).average().orElse(Double.NaN);
  }
}
