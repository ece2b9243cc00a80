package io.zbpp.schedule.bench;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.auto.AutoResult;
import io.zbpp.schedule.auto.AutoZeroBubble;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time of the automatic zero-bubble search (all eight choice combinations, the winner's plan built and
 * simulated) on the paper's 28.3B costs (docs/design.md §7: T_F 10.402, T_B 10.248, T_W 7.698, T_comm 0.46 ms;
 * ΔM per unit s·b of h = 6144, a = 48) for p stages and m microbatches; m may be written {@code 3p}.
 * Run with {@code coordinator/scripts/jmh.sh AutoSchedulerBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AutoSchedulerBench {
  @Param({"32"})
  public int p;

  @Param({"256"})
  public String m;

  private Shape shape;
  private CostModel costs;

  @Setup
  public void setUp() {
    int microbatches = m.endsWith("p") ? Integer.parseInt(m.substring(0, m.length() - 1)) * p : Integer.parseInt(m);
    shape = Shape.of(p, microbatches);
    double memF = 34.0 * 6144 + 5.0 * 48 * 1024;
    double memW = -32.0 * 6144;
    costs = CostModel.builder(p).times(10.402, 10.248, 7.698).comm(0.46).mem(memF, -(memF + memW), memW).build();
  }

  @Benchmark
  public AutoResult zb2p() {
    return AutoZeroBubble.twoP().search(shape, costs);
  }

  @Benchmark
  public AutoResult zb1p() {
    return AutoZeroBubble.oneP().search(shape, costs);
  }
}
