package io.zbpp.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.PassRecord;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.StageTrace;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Busy and bubble fractions from pass times, and at most one job's gauges at a time. */
class CoordinatorMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final CoordinatorMetrics metrics = new CoordinatorMetrics(registry);

  private static PassRecord pass(ProgramOp op, long start, long end) {
    return new PassRecord(op, 0, 0, start, end);
  }

  @Test
  void busyIsPassTimeOverTheLargestStageSpan() {
    metrics.jobStarted(new JobEpoch("a", 1), 2, 1, 0.25);
    // stage 0: passes 0-30 and 70-100 (span 100, busy 60); stage 1: 20-70 (span 50, busy 50)
    StageTrace s0 = new StageTrace(0, List.of(pass(ProgramOp.F, 0, 30), pass(ProgramOp.B, 70, 100)), 0);
    StageTrace s1 = new StageTrace(1, List.of(pass(ProgramOp.F, 20, 70)), 0);
    metrics.iteration(new IterationResult(0, 1.0, 2_000_000_000L, 0.4, List.of(s0, s1)), 8);

    assertThat(registry.get("zbpp.stage.busy.ratio").tag("stage", "0").gauge().value()).isEqualTo(0.6);
    assertThat(registry.get("zbpp.stage.bubble.ratio").tag("stage", "0").gauge().value()).isCloseTo(0.4,
        org.assertj.core.data.Offset.offset(1e-12));
    assertThat(registry.get("zbpp.stage.busy.ratio").tag("stage", "1").gauge().value()).isEqualTo(0.5);
    assertThat(registry.get("zbpp.samples.per.second").gauge().value()).isEqualTo(4.0);
    assertThat(registry.get("zbpp.bubble.predicted.ratio").gauge().value()).isEqualTo(0.25);
    assertThat(registry.get("zbpp.bubble.realized.ratio").gauge().value()).isEqualTo(0.4);
  }

  @Test
  void theNextJobReplacesThePreviousJobsGaugesAndCountersKeepAddingUp() {
    metrics.jobStarted(new JobEpoch("a", 1), 4, 1, 0.1);
    metrics.iteration(new IterationResult(0, 1.0, 1_000_000L, 0.1, List.of()), 2);
    metrics.jobStarted(new JobEpoch("b", 2), 2, 1, 0.1);
    metrics.iteration(new IterationResult(0, 1.0, 1_000_000L, 0.1, List.of()), 2);

    assertThat(registry.find("zbpp.stage.busy.ratio").gauges()).hasSize(2)
        .allSatisfy(g -> assertThat(g.getId().getTag("job")).isEqualTo("b"));
    assertThat(registry.find("zbpp.bubble.predicted.ratio").gauges()).hasSize(1);
    assertThat(registry.get("zbpp.iterations").counter().count()).isEqualTo(2);
    assertThat(registry.get("zbpp.samples").counter().count()).isEqualTo(4);
  }

  @Test
  void checkpointsAddUpTheirWriteTimesAndBytesAndCountTheOnesGivenUp() {
    metrics.checkpointWritten(0.25, 1000);
    metrics.checkpointWritten(0.5, 24);
    metrics.checkpointFailed();

    assertThat(registry.get("zbpp.checkpoint.write").timer().count()).isEqualTo(2);
    assertThat(registry.get("zbpp.checkpoint.write").timer().totalTime(java.util.concurrent.TimeUnit.MILLISECONDS))
        .isEqualTo(750.0);
    assertThat(registry.get("zbpp.checkpoint.written.bytes").counter().count()).isEqualTo(1024);
    assertThat(registry.get("zbpp.checkpoints.failed").counter().count()).isEqualTo(1);
  }

  @Test
  void faultsRecoveriesAndReplayedIterationsAddUp() {
    metrics.faultDetected();
    metrics.recoveryStarted(3);
    metrics.recovered(2_000_000L);
    metrics.faultDetected();
    metrics.recoveryStarted(1);

    assertThat(registry.get("zbpp.faults.detected").counter().count()).isEqualTo(2);
    assertThat(registry.get("zbpp.recoveries").counter().count()).isEqualTo(2);
    assertThat(registry.get("zbpp.iterations.replayed").counter().count()).isEqualTo(4);
    assertThat(registry.get("zbpp.recovery.duration").timer().count()).isEqualTo(1);
  }
}
