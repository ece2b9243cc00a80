package io.zbpp.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.zbpp.protocol.jobs.JobSpec;
import java.util.List;

/**
 * Job specs without writing protobuf by hand: {@link #builder} for code, {@link #fromJson} for spec files (the
 * proto JSON mapping: lowerCamelCase names; an unknown field is an error that names it). Unset fields keep
 * {@code zbpp train}'s defaults (model small, backend cpu, seed 1, one chunk per stage unless the schedule
 * needs two).
 */
public final class JobSpecs {
  private JobSpecs() {}

  /** A spec for {@code schedule} on {@code stages} stages with {@code microbatches} microbatches, 1 iteration. */
  public static Builder builder(String schedule, int stages, int microbatches) {
    return new Builder(schedule, stages, microbatches);
  }

  /**
   * Parses a spec from JSON.
   *
   * @throws IllegalArgumentException naming an unknown field or a value of the wrong type
   */
  public static JobSpec fromJson(String json) {
    JobSpec.Builder b = JobSpec.newBuilder();
    try {
      JsonFormat.parser().merge(json, b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return b.build();
  }

  /** The spec as JSON (lowerCamelCase names, unset fields left out). */
  public static String toJson(JobSpec spec) {
    try {
      return JsonFormat.printer().print(spec);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Builds a {@link JobSpec}; each setter is the {@code zbpp train} option of the same name. */
  public static final class Builder {
    private final JobSpec.Builder b = JobSpec.newBuilder().setIterations(1);

    private Builder(String schedule, int stages, int microbatches) {
      b.setSchedule(schedule).setStages(stages).setMicrobatches(microbatches);
    }

    public Builder name(String v) {
      b.setName(v);
      return this;
    }

    public Builder chunks(int v) {
      b.setChunks(v);
      return this;
    }

    public Builder iterations(int v) {
      b.setIterations(v);
      return this;
    }

    public Builder model(String preset) {
      b.setModel(preset);
      return this;
    }

    public Builder backend(String v) {
      b.setBackend(v);
      return this;
    }

    public Builder seed(long v) {
      b.setSeed(v);
      return this;
    }

    public Builder microbatchSize(int v) {
      b.setMicrobatchSize(v);
      return this;
    }

    /** Pass times T_F, T_B, T_W (one value or one per stage) and T_comm. */
    public Builder costs(List<Double> f, List<Double> bw, List<Double> w, double comm) {
      b.clearCostF().addAllCostF(f).clearCostB().addAllCostB(bw).clearCostW().addAllCostW(w).setCostComm(comm);
      return this;
    }

    public Builder memLimit(double bytes) {
      b.setMemLimit(bytes);
      return this;
    }

    public Builder memLimitFactor(double k) {
      b.setMemLimitFactor(k);
      return this;
    }

    public Builder clipNorm(double c) {
      b.setClipNorm(c);
      return this;
    }

    /** {@code true}: on, {@code false}: off. */
    public Builder postValidation(boolean on) {
      b.setPostValidation(on ? "on" : "off");
      return this;
    }

    /** exact or in-place. */
    public Builder rollback(String mode) {
      b.setRollback(mode);
      return this;
    }

    public Builder injectNan(int iteration, int stage) {
      b.setInjectNan(iteration + ":" + stage);
      return this;
    }

    /** Memory deltas ΔM(F), ΔM(B), ΔM(W) (one value or one per stage; an empty list: from the model). */
    public Builder memDeltas(List<Double> f, List<Double> bw, List<Double> w) {
      b.clearMemF().addAllMemF(f).clearMemB().addAllMemB(bw).clearMemW().addAllMemW(w);
      return this;
    }

    /** Emulated backend: the times each stage really sleeps (an empty list: the planner's cost). */
    public Builder trueCosts(List<Double> f, List<Double> bw, List<Double> w) {
      b.clearTrueCostF().addAllTrueCostF(f).clearTrueCostB().addAllTrueCostB(bw).clearTrueCostW()
          .addAllTrueCostW(w);
      return this;
    }

    /** Emulated backend: from {@code iteration} on, {@code stage}'s passes sleep {@code factor} times as long. */
    public Builder slowdown(int stage, double factor, int iteration) {
      b.addSlowdown(stage + ":" + factor + "@" + iteration);
      return this;
    }

    public Builder timeScale(double k) {
      b.setTimeScale(k);
      return this;
    }

    public Builder longRun(boolean allowed) {
      b.setLongRun(allowed);
      return this;
    }

    /** memory, netty or artery. */
    public Builder dataPlane(String kind) {
      b.setDataPlane(kind);
      return this;
    }

    /** A checkpoint every {@code n} iterations and after the last (0: none); unset, a submitted job takes one every 10. */
    public Builder checkpointEvery(int n) {
      b.setCheckpointEvery(n);
      return this;
    }

    /** The checkpoint directory (every stage host must see it); unset: checkpoints/ID in the coordinator's data dir. */
    public Builder checkpointDir(String dir) {
      b.setCheckpointDir(dir);
      return this;
    }

    /** Start from the latest valid checkpoint in {@code dir}. */
    public Builder resumeFrom(String dir) {
      b.setResumeFrom(dir);
      return this;
    }

    public JobSpec build() {
      return b.build();
    }
  }
}
