package io.zbpp.stage;

import io.zbpp.gpu.optim.GradientClipping;
import io.zbpp.gpu.optim.GradientClipping.Verdict;
import io.zbpp.gpu.optim.RollbackMode;
import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.OptimizerStats;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The optimizer step of one stage and its check (docs/design.md §6, docs/post-validation.md): the grad norms it
 * reduces, the eager steps it took and has not validated yet, and what the check did. Runs only on the stage's
 * executor (it drives the chunks); the actor hands it the states that arrived.
 *
 * <p>Per iteration and chunk the step is in one of three states: FINAL (stepped, skipped or clipped with the
 * full state: NONE, SYNC and the last stage), EAGER (POST_VALIDATION: stepped on the partial state, the
 * gradients and — in exact mode — a copy of parameters and moments kept) or DEFERRED (the partial state already
 * showed inf or a clip, so the stage did not step). {@link #validate} settles EAGER and DEFERRED steps against
 * the full state: accept, or roll back and redo with the clip coefficient, or skip.
 */
final class StageOptimizer {
  private enum Pending {
    EAGER,
    DEFERRED
  }

  private final int stage;
  private final int chunks;
  private final OptimizerOptions options;
  private final ChunkSet set;
  private final Map<Integer, Map<Integer, Double>> partial = new HashMap<>();
  private final Map<Integer, Map<Integer, Double>> full = new HashMap<>();
  private final Map<Integer, Map<Integer, Pending>> pending = new HashMap<>();
  /** By iteration: read by the actor when it reports an iteration (after the batches that settled it). */
  private final Set<Integer> skipped = ConcurrentHashMap.newKeySet();
  private final Map<Integer, Integer> rollbacksOf = new ConcurrentHashMap<>();
  private final Set<Integer> clipped = new HashSet<>();
  private int rollbacks;
  private long rollbackBytes;
  private long keptBytes;

  StageOptimizer(int stage, int chunks, OptimizerOptions options, ChunkSet set) {
    this.stage = stage;
    this.chunks = chunks;
    this.options = options;
    this.set = set;
  }

  /** NORM: chunk c's grad-norm² into iteration {@code it}'s partial state (poisoned first if injected). */
  void norm(int it, int c) {
    ChunkRunner r = set.runner(c);
    if (options.poisons(it, stage)) {
      r.poisonGradients();
    }
    partial.computeIfAbsent(it, k -> new TreeMap<>()).put(c, r.gradNormSquared());
  }

  /** RECV_PARTIAL / RECV_FULL: a state that arrived (a full one may be this stage's own, already known). */
  void receive(int it, boolean isFull, Map<Integer, Double> normSquared) {
    (isFull ? full : partial).computeIfAbsent(it, k -> new TreeMap<>()).putAll(normSquared);
  }

  /** SEND_PARTIAL / SEND_FULL: what this stage knows of iteration {@code it}. */
  Map<Integer, Double> partialState(int it) {
    Map<Integer, Double> p = partial.getOrDefault(it, Map.of());
    if (p.size() == chunks) {
      full.put(it, new TreeMap<>(p));
    }
    return new TreeMap<>(p);
  }

  /** STEP of chunk c in iteration {@code it}. */
  void step(int it, int c) {
    partial.keySet().removeIf(k -> k < it - 1); // iteration it−1 was validated before this iteration's W
    full.keySet().removeIf(k -> k < it - 1);
    pending.keySet().removeIf(k -> k < it - 1);
    ChunkRunner r = set.runner(c);
    if (!options.checked()) {
      r.step(it);
      return;
    }
    Map<Integer, Double> p = partial.getOrDefault(it, Map.of());
    if (p.size() == chunks) {
      full.putIfAbsent(it, new TreeMap<>(p));
    }
    Map<Integer, Double> known = full.get(it);
    if (known != null) {
      settle(it, c, r, null, known);
      return;
    }
    if (options.check() == OptimizerOptions.Check.SYNC) {
      throw new IllegalStateException("STEP of chunk " + c + " in iteration " + it + " without the full state");
    }
    if (GradientClipping.verdict(sum(p), options.clipNorm()) != Verdict.STEP) {
      pending.computeIfAbsent(it, k -> new HashMap<>()).put(c, Pending.DEFERRED);
      return;
    }
    keptBytes += r.keepForRollback(rollbackMode());
    r.stepScaled(it, 1f);
    pending.computeIfAbsent(it, k -> new HashMap<>()).put(c, Pending.EAGER);
    if (pending.get(it).size() == set.chunks().size()) {
      rollbackBytes = Math.max(rollbackBytes, keptBytes);
      keptBytes = 0;
    }
  }

  /**
   * VALIDATE of chunk c's step of iteration {@code it} against the full state (which must be known). Returns
   * whether the step was not a plain one (skip or clip): then the next iteration's speculative work is void.
   * Idempotent: a settled step validates again as a no-op.
   */
  boolean validate(int it, int c) {
    Map<Integer, Double> known = full.get(it);
    if (it < 0 || known == null && !pending.containsKey(it)) {
      return false;
    }
    if (known == null) {
      throw new IllegalStateException("VALIDATE of chunk " + c + " in iteration " + it + " without the full state");
    }
    Pending was = pending.getOrDefault(it, Map.of()).get(c);
    if (was != null) {
      settle(it, c, set.runner(c), was, known);
      pending.get(it).remove(c);
    }
    return verdict(known) != Verdict.STEP;
  }

  /** Whether iteration {@code it}'s full state is known and rejects a plain step. */
  boolean rejects(int it) {
    Map<Integer, Double> known = full.get(it);
    return known != null && verdict(known) != Verdict.STEP;
  }

  /** Settles every pending step of iteration {@code it} (at the end of the job). */
  void validateAll(int it) {
    for (int c : set.chunks()) {
      validate(it, c);
    }
  }

  private void settle(int it, int c, ChunkRunner r, Pending was, Map<Integer, Double> known) {
    double norm2 = sum(known);
    Verdict v = GradientClipping.verdict(norm2, options.clipNorm());
    if (was == Pending.EAGER && v != Verdict.STEP) {
      r.rollbackStep();
      rollbacks++;
      rollbacksOf.merge(it, 1, Integer::sum);
    }
    switch (v) {
      case SKIP -> {
        skipped.add(it);
        r.zeroGradients();
      }
      case CLIP -> {
        clipped.add(it);
        r.stepScaled(it, GradientClipping.coefficient(norm2, options.clipNorm()));
        r.zeroGradients();
      }
      case STEP -> {
        if (was == null) {
          r.step(it);
        } else {
          if (was == Pending.DEFERRED) {
            r.stepScaled(it, 1f);
          }
          r.zeroGradients();
        }
      }
    }
  }

  private Verdict verdict(Map<Integer, Double> known) {
    return GradientClipping.verdict(sum(known), options.clipNorm());
  }

  /** Σ in model order (the map is sorted by chunk): the one order the reference uses too. */
  private static double sum(Map<Integer, Double> perChunk) {
    return GradientClipping.globalNormSquared(
        new TreeMap<>(perChunk).values().stream().mapToDouble(Double::doubleValue).toArray());
  }

  private RollbackMode rollbackMode() {
    return options.rollback() == OptimizerOptions.Rollback.EXACT ? RollbackMode.EXACT : RollbackMode.IN_PLACE;
  }

  /** The chunk steps of iteration {@code it} this stage rolled back so far. */
  int rollbacks(int it) {
    return rollbacksOf.getOrDefault(it, 0);
  }

  /** Whether iteration {@code it}'s step was skipped for non-finite gradients. */
  boolean skipped(int it) {
    return skipped.contains(it);
  }

  OptimizerStats stats() {
    String mode = options.check() == OptimizerOptions.Check.POST_VALIDATION
        ? (options.rollback() == OptimizerOptions.Rollback.EXACT ? "exact" : "in-place")
        : options.checked() ? "sync" : "none";
    return new OptimizerStats(rollbacks, skipped.size(), clipped.size(), rollbackBytes, mode);
  }
}
