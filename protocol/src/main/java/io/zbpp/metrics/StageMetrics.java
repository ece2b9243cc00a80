package io.zbpp.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.PassRecord;
import java.time.Duration;

/**
 * What the stage actors of a node record: the duration of every compute pass by kind (F, B, W, or BW for a
 * fused backward) and stage, iterations run, and the tensor payload bytes sent to and received from neighbours. Labels:
 * {@code stage} (the pipeline stage, below the job's stage count) and {@code kind}; no job label, so the series
 * stay bounded however many jobs run; the coordinator's gauges carry the job.
 */
public final class StageMetrics {
  /** Histogram buckets of pass durations: 100 µs to 30 s. */
  static final Duration[] PASS_BUCKETS = {Duration.ofNanos(100_000), Duration.ofNanos(250_000),
      Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
      Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

  private final MeterRegistry registry;

  StageMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Records the compute passes of a stage's finished iteration (LOSS, STEP and communication are not passes). */
  public void iteration(IterationReport report) {
    String stage = Integer.toString(report.stage());
    for (PassRecord p : report.passes()) {
      String kind = switch (p.op()) {
        case F, B, W, BW -> p.op().name();
        default -> null;
      };
      if (kind != null) {
        passTimer(kind, stage).record(Duration.ofNanos(Math.max(0, p.nanos())));
      }
    }
    Counter.builder("zbpp.stage.iterations").description("Iterations a stage finished")
        .tag("stage", stage).register(registry).increment();
  }

  private Timer passTimer(String kind, String stage) {
    return Timer.builder("zbpp.pass.duration").description("Duration of a compute pass, by kind and stage")
        .tag("kind", kind).tag("stage", stage).serviceLevelObjectives(PASS_BUCKETS).register(registry);
  }

  /** Counts the payload bytes of a tensor a stage sent (Artery frames or the data plane). */
  public void sent(int stage, long bytes) {
    bytes("zbpp.tensor.sent", "Tensor bytes a stage sent to its neighbours", stage, bytes);
  }

  /** Counts the payload bytes of a whole tensor a stage received. */
  public void received(int stage, long bytes) {
    bytes("zbpp.tensor.received", "Tensor bytes a stage received from its neighbours", stage, bytes);
  }

  private void bytes(String name, String description, int stage, long bytes) {
    Counter.builder(name).description(description).baseUnit("bytes").tag("stage", Integer.toString(stage))
        .register(registry).increment(bytes);
  }
}
