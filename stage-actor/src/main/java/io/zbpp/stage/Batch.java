package io.zbpp.stage;

import io.zbpp.gpu.pipeline.HostTensor;
import io.zbpp.protocol.msg.TensorKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a batch of consecutive ops ({@link StageRun#takeRunnable()}) on the stage's executor: compute ops
 * back to back, and each SEND as soon as its tensor exists, straight from the executor thread (a tell is
 * thread-safe). So a stage whose next passes have their inputs does not go back through the dispatcher
 * between passes, and a gradient or activation leaves the moment it is computed.
 */
final class Batch {
  /** Sends a tensor to a stage (splitting it into frames). */
  @FunctionalInterface
  interface Sender {
    void send(int stage, TensorKey key, HostTensor tensor);
  }

  /** Sends an optimizer state (partial or full) of an iteration to a stage. */
  @FunctionalInterface
  interface StateSender {
    void send(int stage, int iteration, boolean full, Map<Integer, Double> normSquared);
  }

  private Batch() {}

  /**
   * Where a batch runs: iteration and attempt, this stage and the stage count, the two senders, the program index
   * of the batch's first op, the faults the stage injects, and where the program index of the op running now is
   * kept (for the watchdog's probe).
   */
  record Context(int iteration, int attempt, int stage, int stages, Sender sender, StateSender states, int pc,
      StageFaults faults, java.util.concurrent.atomic.AtomicInteger running) {}

  /** A step of a batch threw: {@code index} is its position in the batch. */
  static final class StepFailed extends RuntimeException {
    private final int index;

    StepFailed(int index, RuntimeException cause) {
      super(cause.toString(), cause);
      this.index = index;
    }

    int index() {
      return index;
    }
  }

  /** @throws StepFailed when a step throws, naming the step */
  static List<Computed> run(List<StageRun.Step> steps, ChunkSet chunks, StageOptimizer opt, Context cx) {
    Map<TensorKey, HostTensor> produced = new HashMap<>();
    List<Computed> results = new ArrayList<>(steps.size());
    for (int k = 0; k < steps.size(); k++) {
      try {
        cx.running().set(cx.pc() + k);
        cx.faults().beforeOp(cx.iteration(), cx.pc() + k);
        Computed c = step(steps.get(k), chunks, opt, cx, produced);
        results.add(steps.get(k).in().op().isCompute() ? cx.faults().slowed(cx.iteration(), cx.pc() + k, c) : c);
      } catch (RuntimeException e) {
        throw new StepFailed(k, e);
      }
    }
    return Collections.unmodifiableList(results);
  }

  private static Computed step(StageRun.Step s, ChunkSet chunks, StageOptimizer opt, Context cx,
      Map<TensorKey, HostTensor> produced) {
    Computed c = switch (s.in().op()) {
      case F, B, W, BW, LOSS -> chunks.run(s.in(), cx.iteration(), s.input());
      case SEND_F, SEND_B -> {
        cx.sender().send(s.target(), s.key(), s.ready() != null ? s.ready() : produced.remove(s.key()));
        yield null;
      }
      case RECV_F, RECV_B -> null;
      case STEP, NORM, VALIDATE, SEND_PARTIAL, SEND_FULL, RECV_PARTIAL, RECV_FULL -> OptimizerOps.run(s, chunks, opt, cx);
    };
    if (c != null && s.key() != null && c.output() != null) {
      produced.put(s.key(), c.output());
    }
    return c;
  }
}
