package io.zbpp.runtime;

import io.zbpp.protocol.msg.JobSpec;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.protocol.msg.ModelSpec;
import io.zbpp.protocol.msg.OptimizerOptions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A training job for {@link LocalTraining}: the {@code zbpp train} options as a value. Build with
 * {@link #builder(String, int, int)}.
 *
 * @param availableChunks how many model chunks the model can be cut into (its layers); p·v must not exceed it
 * @param planText a plan file to run instead of the schedule's plan, or empty
 * @param frameBytes the largest tensor payload per message; 0 takes {@code zbpp.protocol.max-frame-bytes}
 *     from the configuration
 * @param serializeMessages run with {@code pekko.actor.serialize-messages = on} (tests)
 * @param optimizer the optimizer check (docs/post-validation.md); none by default
 * @param memF memory deltas ΔM(F), one value or one per stage; empty (the default): from {@code model}
 * @param memB ΔM(B), as {@code memF}
 * @param memW ΔM(W), as {@code memF}
 * @param modelSpec the model the stages build ({@link ModelSpec#none()}: the stage host supplies its chunks)
 */
public record TrainSpec(String schedule, String planText, int stages, int microbatches, int chunksPerStage,
    int iterations, int availableChunks, List<Double> costF, List<Double> costB, List<Double> costW,
    double costComm, ModelShape model, double memLimit, double memLimitFactor, int frameBytes,
    boolean serializeMessages, Duration timeout, OptimizerOptions optimizer, List<Double> memF, List<Double> memB,
    List<Double> memW, ModelSpec modelSpec) {
  public TrainSpec {
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(planText, "planText");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(modelSpec, "modelSpec");
    costF = List.copyOf(costF);
    costB = List.copyOf(costB);
    costW = List.copyOf(costW);
    memF = List.copyOf(memF);
    memB = List.copyOf(memB);
    memW = List.copyOf(memW);
  }

  public static Builder builder(String schedule, int stages, int microbatches) {
    return new Builder(schedule, stages, microbatches);
  }

  /** The job as the coordinator receives it. */
  public JobSpec toJobSpec(String jobId) {
    return new JobSpec(jobId, schedule, planText, stages, microbatches, chunksPerStage, iterations, costF, costB,
        costW, costComm, model, memLimit, memLimitFactor, frameBytes, optimizer, memF, memB, memW, modelSpec);
  }

  /** This spec with {@code frameBytes} 0 replaced by the configured {@code zbpp.protocol.max-frame-bytes}. */
  public TrainSpec withConfiguredFrameBytes(com.typesafe.config.Config config) {
    if (frameBytes != 0) {
      return this;
    }
    return new TrainSpec(schedule, planText, stages, microbatches, chunksPerStage, iterations, availableChunks,
        costF, costB, costW, costComm, model, memLimit, memLimitFactor,
        config.getInt("zbpp.protocol.max-frame-bytes"), serializeMessages, timeout, optimizer, memF, memB, memW,
        modelSpec);
  }

  /** This spec with another model. */
  public TrainSpec withModelSpec(ModelSpec m) {
    return new TrainSpec(schedule, planText, stages, microbatches, chunksPerStage, iterations, availableChunks,
        costF, costB, costW, costComm, model, memLimit, memLimitFactor, frameBytes, serializeMessages, timeout,
        optimizer, memF, memB, memW, m);
  }

  /** Samples per microbatch (the model's microbatch size, at least 1). */
  public int microbatchSize() {
    return Math.max(1, model.microbatchSize());
  }

  /** Builds a spec; defaults: v = 1, one iteration, no chunk limit, unit costs, no memory limit. */
  public static final class Builder {
    private final String schedule;
    private final int stages;
    private final int microbatches;
    private String planText = "";
    private int chunksPerStage = 1;
    private int iterations = 1;
    private int availableChunks = Integer.MAX_VALUE;
    private List<Double> costF = List.of();
    private List<Double> costB = List.of();
    private List<Double> costW = List.of();
    private double costComm;
    private ModelShape model = new ModelShape(0, 0, 0, 0, 1);
    private List<Double> memF = List.of();
    private List<Double> memB = List.of();
    private List<Double> memW = List.of();
    private double memLimit;
    private double memLimitFactor;
    private int frameBytes;
    private boolean serializeMessages;
    private Duration timeout = Duration.ofMinutes(30);
    private OptimizerOptions.Check check;
    private double clipNorm;
    private OptimizerOptions.Rollback rollback = OptimizerOptions.Rollback.EXACT;
    private int injectNanIteration = -1;
    private int injectNanStage = -1;
    private ModelSpec modelSpec = ModelSpec.none();

    private Builder(String schedule, int stages, int microbatches) {
      this.schedule = schedule;
      this.stages = stages;
      this.microbatches = microbatches;
    }

    public Builder planText(String v) {
      planText = v;
      return this;
    }

    public Builder chunksPerStage(int v) {
      chunksPerStage = v;
      return this;
    }

    public Builder iterations(int v) {
      iterations = v;
      return this;
    }

    public Builder availableChunks(int v) {
      availableChunks = v;
      return this;
    }

    /** Profiled pass times and the communication time (one value for all stages, or one per stage). */
    public Builder costs(List<Double> f, List<Double> b, List<Double> w, double comm) {
      costF = f;
      costB = b;
      costW = w;
      costComm = comm;
      return this;
    }

    /**
     * Memory deltas ΔM(F), ΔM(B), ΔM(W) (one value for all stages, or one per stage); an empty list keeps that
     * pass's delta from the model shape (docs/design.md §2).
     */
    public Builder memDeltas(List<Double> f, List<Double> b, List<Double> w) {
      memF = f;
      memB = b;
      memW = w;
      return this;
    }

    /** The model the stages build and train (its shape for the cost model is {@link #model}). */
    public Builder modelSpec(ModelSpec v) {
      modelSpec = v;
      return this;
    }

    public Builder model(ModelShape v) {
      model = v;
      return this;
    }

    public Builder memLimit(double bytes) {
      memLimit = bytes;
      return this;
    }

    public Builder memLimitFactor(double k) {
      memLimitFactor = k;
      return this;
    }

    public Builder frameBytes(int v) {
      frameBytes = v;
      return this;
    }

    public Builder serializeMessages(boolean v) {
      serializeMessages = v;
      return this;
    }

    public Builder timeout(Duration v) {
      timeout = v;
      return this;
    }

    /** {@code --clip-norm C}: clip the global gradient norm at C (0: no clipping, the inf/NaN skip stays). */
    public Builder clipNorm(double c) {
      clipNorm = c;
      return this;
    }

    /**
     * {@code --post-validation on|off}: on = eager steps validated during the next iteration, off = the
     * synchronous all-reduce before the step. Unset: on when {@code clipNorm} or {@code injectNan} is given,
     * otherwise no check at all (the runtime before issue 6).
     */
    public Builder postValidation(boolean on) {
      check = on ? OptimizerOptions.Check.POST_VALIDATION : OptimizerOptions.Check.SYNC;
      return this;
    }

    /** No optimizer check (plain steps, no reduction ops), whatever else was set. */
    public Builder noOptimizerCheck() {
      check = OptimizerOptions.Check.NONE;
      return this;
    }

    /** {@code --rollback exact|in-place}. */
    public Builder rollback(String mode) {
      rollback = switch (mode) {
        case "exact" -> OptimizerOptions.Rollback.EXACT;
        case "in-place" -> OptimizerOptions.Rollback.IN_PLACE;
        default -> throw new IllegalArgumentException("--rollback [" + mode + "]: expected exact or in-place");
      };
      return this;
    }

    /** {@code --inject-nan ITERATION:STAGE}: poisons that stage's gradients in that iteration. */
    public Builder injectNan(int iteration, int stage) {
      if (iteration < 0 || stage < 0) {
        throw new IllegalArgumentException("--inject-nan [" + iteration + ":" + stage
            + "]: expected ITERATION:STAGE, both at least 0");
      }
      injectNanIteration = iteration;
      injectNanStage = stage;
      return this;
    }

    public TrainSpec build() {
      OptimizerOptions.Check c = check != null ? check
          : clipNorm > 0 || injectNanIteration >= 0 ? OptimizerOptions.Check.POST_VALIDATION
          : OptimizerOptions.Check.NONE;
      return new TrainSpec(schedule, planText, stages, microbatches, chunksPerStage, iterations, availableChunks,
          costF, costB, costW, costComm, model, memLimit, memLimitFactor, frameBytes, serializeMessages, timeout,
          new OptimizerOptions(c, clipNorm, rollback, injectNanIteration, injectNanStage), memF, memB, memW,
          modelSpec);
    }
  }
}
