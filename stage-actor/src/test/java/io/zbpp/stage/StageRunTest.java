package io.zbpp.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.pipeline.HostTensor;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.ProgramInstruction;
import io.zbpp.protocol.msg.StageProgram;
import io.zbpp.protocol.msg.TensorKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageRunTest {
  private static final HostTensor T = new HostTensor(new int[] {1}, new float[] {1});

  private static List<String> ops(List<StageRun.Step> steps) {
    return steps.stream().map(s -> s.in().toString()).toList();
  }

  /** Results for a batch: F/B/BW produce T where a neighbouring chunk exists, SEND/RECV give null. */
  private static List<Computed> results(List<StageRun.Step> steps, int chunks) {
    List<Computed> out = new ArrayList<>();
    for (StageRun.Step s : steps) {
      boolean compute = s.in().op().isCompute() || s.in().op().name().equals("LOSS")
          || s.in().op().name().equals("STEP");
      boolean produces = switch (s.in().op()) {
        case F -> s.in().chunk() < chunks - 1;
        case B, BW -> s.in().chunk() > 0;
        default -> false;
      };
      out.add(compute ? new Computed(produces ? T : null, 1.5, 0, 1, 0) : null);
    }
    return out;
  }

  @Test
  void waitsAtAReceiveThenRunsEverythingItUnblocks() {
    StageRun run = new StageRun(1, StageProgram.parse("1: 1RECV_F0 1F0 1LOSS0 1BW0 1SEND_B0 1STEP"), List.of(0, 1));
    run.begin(0);

    assertThat(run.takeRunnable()).isEmpty();
    run.offer(TensorKey.activation(0, 0, 1), T);
    List<StageRun.Step> batch = run.takeRunnable();
    assertThat(ops(batch)).containsExactly("1RECV_F0", "1F0", "1LOSS0", "1BW0", "1SEND_B0", "1STEP");
    assertThat(batch.get(4).key()).isEqualTo(TensorKey.gradient(0, 0, 0));
    assertThat(batch.get(4).target()).isZero();
    run.apply(batch, results(batch, 2));
    assertThat(run.finished()).isTrue();
    IterationReport report = run.report(new JobEpoch("j", 1), new StageOptimizer(1, 2, OptimizerOptions.none(), null));
    assertThat(report.losses()).hasSize(1);
    assertThat(report.settledIteration()).as("no check: the iteration settles its own step").isZero();
    assertThat(report.settledRollbacks()).isZero();
    assertThat(run.buffered()).isZero();
  }

  @Test
  void keepsAnActivationForTheNextIterationInTheInbox() {
    StageRun run = new StageRun(1, StageProgram.parse("1: 1RECV_F0 1F0 1LOSS0 1BW0 1SEND_B0 1STEP"), List.of(0, 1));
    run.offer(TensorKey.activation(1, 0, 1), T);
    run.begin(0);

    assertThat(run.takeRunnable()).isEmpty();
    assertThat(run.buffered()).isEqualTo(1);
  }

  @Test
  void aLocalHandOverEndsTheBatchUntilItsProducerRan() {
    // stage 1 of a V over 2 stages holds chunks 1 and 2; F0 hands its output to F0.2 locally
    StageRun run = new StageRun(1, StageProgram.parse("1: 1RECV_F0 1F0 1F0.2 1SEND_F0.2"), List.of(0, 1, 1, 0));
    run.begin(0);
    run.offer(TensorKey.activation(0, 0, 1), T);

    List<StageRun.Step> first = run.takeRunnable();
    assertThat(ops(first)).containsExactly("1RECV_F0", "1F0");
    assertThat(first.get(1).key()).isNull(); // the output stays on this stage
    run.apply(first, results(first, 4));
    List<StageRun.Step> second = run.takeRunnable();
    assertThat(ops(second)).containsExactly("1F0.2", "1SEND_F0.2");
    assertThat(second.get(1).target()).isZero();
    assertThat(second.get(0).in()).isEqualTo(ProgramInstruction.parse("1F0.2"));
  }
}
