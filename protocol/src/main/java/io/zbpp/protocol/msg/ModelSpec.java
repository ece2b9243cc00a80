package io.zbpp.protocol.msg;

import java.util.List;
import java.util.Objects;

/**
 * The model a job trains, as much as a stage host needs to build its chunks from nothing but the protocol:
 * the shape (a preset name, or an explicit shape), how its layers are cut into chunks, the backend, the seeds
 * and the AdamW hyper-parameters. Every stage that builds a chunk from the same spec builds the same chunk, so
 * chunks fit together and (on the cpu backend) train bit for bit like the single-device reference trainer.
 *
 * @param preset a model preset name (tiny, small, 1.5b, …), or empty for the explicit {@code shape}
 * @param shape layers L, hidden h, heads a, sequence length s, microbatch size b; with a preset only b counts
 * @param vocab the vocabulary of an explicit shape; 0 with a preset
 * @param seed the parameters derive from it (per global layer index)
 * @param dataSeed the data order derives from it
 * @param partition blocks per chunk, in model order; empty: the layers split evenly over the job's chunks
 * @param backend cpu, cuda or emulated; empty for a job whose stage host supplies its own chunks
 * @param adamw the optimizer's hyper-parameters
 * @param emulatedF the emulated backend's forward time per stage, in ms (one value or one per stage): chunk c
 *     sleeps it divided by v on the stage the plan puts it on; empty for the other backends
 * @param emulatedB as {@code emulatedF}, for B
 * @param emulatedW as {@code emulatedF}, for W
 * @param emulatedSlowdowns the emulated backend's stages that become slower from an iteration on; empty for none
 */
public record ModelSpec(String preset, ModelShape shape, int vocab, long seed, long dataSeed,
    List<Integer> partition, String backend, AdamW adamw, List<Double> emulatedF, List<Double> emulatedB,
    List<Double> emulatedW, List<Slowdown> emulatedSlowdowns) {
  /**
   * From iteration {@code iteration} (0-based) on, every pass of stage {@code stage} sleeps {@code factor} times
   * its emulated time (the emulated backend's straggler).
   */
  public record Slowdown(int stage, double factor, int iteration) {
    public Slowdown {
      if (stage < 0 || iteration < 0 || !(factor > 0) || Double.isInfinite(factor)) {
        throw new IllegalArgumentException("slowdown [" + stage + ":" + factor + "@" + iteration
            + "]: expected stage >= 0, a finite factor > 0 and iteration >= 0");
      }
    }
  }

  /**
   * AdamW hyper-parameters, as float (the optimizer computes in float32): decoupled weight decay
   * θ ← θ·(1 − lr·wd) − lr·m̂/(√v̂ + eps).
   */
  public record AdamW(float lr, float beta1, float beta2, float eps, float weightDecay) {
    /** The hyper-parameters of a job whose stage host supplies its own chunks (no optimizer is built). */
    public static AdamW unset() {
      return new AdamW(0, 0, 0, 0, 0);
    }
  }

  public ModelSpec {
    Objects.requireNonNull(preset, "preset");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(adamw, "adamw");
    partition = List.copyOf(partition);
    emulatedF = List.copyOf(emulatedF);
    emulatedB = List.copyOf(emulatedB);
    emulatedW = List.copyOf(emulatedW);
    emulatedSlowdowns = List.copyOf(emulatedSlowdowns);
  }

  /** The spec without slowdowns (the form before they existed). */
  public ModelSpec(String preset, ModelShape shape, int vocab, long seed, long dataSeed, List<Integer> partition,
      String backend, AdamW adamw, List<Double> emulatedF, List<Double> emulatedB, List<Double> emulatedW) {
    this(preset, shape, vocab, seed, dataSeed, partition, backend, adamw, emulatedF, emulatedB, emulatedW,
        List.of());
  }

  /** No model: the stage host supplies the chunks itself (tests, custom runners). */
  public static ModelSpec none() {
    return new ModelSpec("", new ModelShape(0, 0, 0, 0, 1), 0, 0, 0, List.of(), "", AdamW.unset(), List.of(),
        List.of(), List.of());
  }

  /** A preset model on {@code backend}, split evenly, with both seeds {@code seed}. */
  public static ModelSpec preset(String name, String backend, long seed, int microbatchSize, AdamW adamw) {
    return new ModelSpec(name, new ModelShape(0, 0, 0, 0, microbatchSize), 0, seed, seed, List.of(), backend, adamw,
        List.of(), List.of(), List.of());
  }

  /** This spec with the emulated backend's pass times per stage (ms). */
  public ModelSpec withEmulatedTimes(List<Double> f, List<Double> b, List<Double> w) {
    return new ModelSpec(preset, shape, vocab, seed, dataSeed, partition, backend, adamw, f, b, w,
        emulatedSlowdowns);
  }

  /** This spec with the emulated backend's slowdowns. */
  public ModelSpec withSlowdowns(List<Slowdown> slowdowns) {
    return new ModelSpec(preset, shape, vocab, seed, dataSeed, partition, backend, adamw, emulatedF, emulatedB,
        emulatedW, slowdowns);
  }

  /** This spec with {@code seed} as both seeds, as {@link #dataSeed} changed alone would not be. */
  public ModelSpec withSeed(long s) {
    return new ModelSpec(preset, shape, vocab, s, s, partition, backend, adamw, emulatedF, emulatedB, emulatedW,
        emulatedSlowdowns);
  }
}
