package io.zbpp.runtime;

import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.protocol.msg.ModelSpec;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.ResolvedJob;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A training job for {@link LocalTraining}: the resolved job the coordinator receives, plus what only this JVM's
 * caller needs (how many chunks the model can be cut into, whether messages are serialized, how long to wait).
 * Build with {@link #builder(String, int, int)}; the resolved job's fields read through (e.g. {@link #stages()}).
 *
 * @param job the resolved job, with an empty job id ({@link #toResolvedJob} names it); {@code frameBytes} 0 takes
 *     {@code zbpp.protocol.max-frame-bytes} from the configuration
 * @param availableChunks how many model chunks the model can be cut into (its layers); p·v must not exceed it
 * @param serializeMessages run with {@code pekko.actor.serialize-messages = on} (tests)
 * @param timeout how long to wait for the job's outcome
 * @param dataPlane how tensors travel between the stage actors ({@code --data-plane})
 */
public record TrainSpec(ResolvedJob job, int availableChunks, boolean serializeMessages, Duration timeout,
    DataPlaneKind dataPlane) {
  public TrainSpec {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(dataPlane, "dataPlane");
  }

  /** This spec with tensors on {@code kind}. */
  public TrainSpec withDataPlane(DataPlaneKind kind) {
    return new TrainSpec(job, availableChunks, serializeMessages, timeout, kind);
  }

  public static Builder builder(String schedule, int stages, int microbatches) {
    return new Builder(schedule, stages, microbatches);
  }

  /** The job as the coordinator receives it. */
  public ResolvedJob toResolvedJob(String jobId) {
    return copy(job, jobId, job.frameBytes(), job.modelSpec());
  }

  /** This spec with {@code frameBytes} 0 replaced by the configured {@code zbpp.protocol.max-frame-bytes}. */
  public TrainSpec withConfiguredFrameBytes(com.typesafe.config.Config config) {
    if (job.frameBytes() != 0) {
      return this;
    }
    return new TrainSpec(copy(job, job.jobId(), config.getInt("zbpp.protocol.max-frame-bytes"), job.modelSpec()),
        availableChunks, serializeMessages, timeout, dataPlane);
  }

  /** This spec with another model. */
  public TrainSpec withModelSpec(ModelSpec m) {
    return new TrainSpec(copy(job, job.jobId(), job.frameBytes(), m), availableChunks, serializeMessages, timeout,
        dataPlane);
  }

  private static ResolvedJob copy(ResolvedJob j, String jobId, int frameBytes, ModelSpec m) {
    return copy(j, jobId, frameBytes, m, j.spec());
  }

  private static ResolvedJob copy(ResolvedJob j, String jobId, int frameBytes, ModelSpec m,
      io.zbpp.protocol.jobs.JobSpec given) {
    return new ResolvedJob(jobId, j.schedule(), j.planText(), j.stages(), j.microbatches(), j.chunksPerStage(),
        j.iterations(), j.costF(), j.costB(), j.costW(), j.costComm(), j.model(), j.memLimit(), j.memLimitFactor(),
        frameBytes, j.optimizer(), j.memF(), j.memB(), j.memW(), m, given);
  }

  /** This spec resolved from {@code given}: the resolved job carries it verbatim ({@link ResolvedJob#spec()}). */
  public TrainSpec withSpec(io.zbpp.protocol.jobs.JobSpec given) {
    return new TrainSpec(copy(job, job.jobId(), job.frameBytes(), job.modelSpec(), given), availableChunks,
        serializeMessages, timeout, dataPlane);
  }

  public String schedule() {
    return job.schedule();
  }

  /** A plan file to run instead of the schedule's plan, or empty. */
  public String planText() {
    return job.planText();
  }

  public int stages() {
    return job.stages();
  }

  public int microbatches() {
    return job.microbatches();
  }

  public int chunksPerStage() {
    return job.chunksPerStage();
  }

  public int iterations() {
    return job.iterations();
  }

  public List<Double> costF() {
    return job.costF();
  }

  public List<Double> costB() {
    return job.costB();
  }

  public List<Double> costW() {
    return job.costW();
  }

  public double costComm() {
    return job.costComm();
  }

  public ModelShape model() {
    return job.model();
  }

  public double memLimit() {
    return job.memLimit();
  }

  public double memLimitFactor() {
    return job.memLimitFactor();
  }

  public int frameBytes() {
    return job.frameBytes();
  }

  /** The optimizer check (docs/post-validation.md); none by default. */
  public OptimizerOptions optimizer() {
    return job.optimizer();
  }

  public List<Double> memF() {
    return job.memF();
  }

  public List<Double> memB() {
    return job.memB();
  }

  public List<Double> memW() {
    return job.memW();
  }

  /** The model the stages build ({@link ModelSpec#none()}: the stage host supplies its chunks). */
  public ModelSpec modelSpec() {
    return job.modelSpec();
  }

  /** Samples per microbatch (the model's microbatch size, at least 1). */
  public int microbatchSize() {
    return Math.max(1, job.model().microbatchSize());
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
    private DataPlaneKind dataPlane = DataPlaneKind.DEFAULT;
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

    public Builder dataPlane(DataPlaneKind v) {
      dataPlane = v;
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
      ResolvedJob job = new ResolvedJob("", schedule, planText, stages, microbatches, chunksPerStage, iterations, costF,
          costB, costW, costComm, model, memLimit, memLimitFactor, frameBytes,
          new OptimizerOptions(c, clipNorm, rollback, injectNanIteration, injectNanStage), memF, memB, memW,
          modelSpec);
      return new TrainSpec(job, availableChunks, serializeMessages, timeout, dataPlane);
    }
  }
}
