package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.ChunkRunnerFactory;
import io.zbpp.gpu.pipeline.ReferenceTrainer;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.PlanText;
import io.zbpp.schedule.Schedules;
import io.zbpp.schedule.Shape;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.optimize.OptimizationResult;
import io.zbpp.schedule.optimize.Optimizer;
import io.zbpp.schedule.optimize.SolverOptions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The exact optimizer's V-shape plan (docs/optimizer.md), written as a plan file with chunk tokens and run
 * through the actor runtime as a custom plan, trains the tiny GPT on the cpu backend to the single-device
 * {@link ReferenceTrainer}'s losses and parameter digest, bit for bit — as ZB-V's own plan does.
 */
class OptimizedPlanTrainingTest {
  private static final String MODEL = "tiny";
  private static final long SEED = 5;
  private static final int ITERATIONS = 2;
  private static final int MICROBATCH_SIZE = 1;
  private static LocalTraining training;

  @BeforeAll
  static void start() {
    training = LocalTraining.open(true);
  }

  @AfterAll
  static void stop() {
    training.close();
  }

  @Test
  void anOptimizedVShapePlanTrainsTheTinyModelBitForBit() {
    int p = 3;
    int m = 4;
    Shape shape = new Shape(p, m, 2);
    // With T_comm > 0 ZB-V's template is not optimal (cost 18); under its own peak memory the optimum is 17.5.
    CostModel base = CostModel.uniform(p, 1, 1, 1, 0.5);
    Plan zbv = Schedules.byName("zb-v").plan(shape, base);
    double peak = Simulator.simulate(zbv, base).peakMemory().stream().mapToDouble(Double::doubleValue).max()
        .orElseThrow();
    CostModel costs = base.withMemLimit(peak);
    OptimizationResult r = Optimizer.optimize(shape, costs, zbv,
        SolverOptions.defaults().withTimeLimit(10).withWorkers(2));
    assertThat(r.cost()).as("the optimizer improves ZB-V here: %s", r).isLessThan(r.warmStartCost());
    String text = PlanText.formatNamed(r.plan());
    assertThat(text).contains("F0.5");

    GptConfig c = GptConfig.preset(MODEL);
    TrainSpec spec = TrainSpec.builder("custom", p, m).chunksPerStage(2).planText(text).iterations(ITERATIONS)
        .availableChunks(c.layers()).model(new ModelShape(c.layers(), c.hidden(), c.heads(), c.seqLen(),
            MICROBATCH_SIZE)).frameBytes(1024).serializeMessages(true).build();
    RunnerSpec runner = RunnerSpec.of(MODEL, Backend.CPU, SEED, m, MICROBATCH_SIZE, p * 2);

    TrainReport report = training.train(spec, chunk -> ChunkRunnerFactory.create(runner, chunk));

    try (ReferenceTrainer t = new ReferenceTrainer(RunnerSpec.of(MODEL, Backend.CPU, SEED, m, MICROBATCH_SIZE, 1))) {
      List<Double> losses = Arrays.stream(t.run(ITERATIONS)).boxed().toList();
      assertThat(report.losses()).isEqualTo(losses);
      assertThat(report.paramsSha256()).isEqualTo(t.parameterSha256());
    }
    assertThat(report.schedule()).isEqualTo("zb-v+opt");
  }
}
