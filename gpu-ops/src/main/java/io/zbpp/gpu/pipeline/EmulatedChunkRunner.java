package io.zbpp.gpu.pipeline;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The emulated backend: no arithmetic. F, B and W each sleep the configured time of this chunk (parking the
 * thread, never spinning, so many stages fit on 2 cores) and pass 1-element placeholder tensors; bytesHeld
 * follows {@link EmulatedCosts}' memory model. Losses are 0, gradients are empty (norm² 0, finite), and there
 * are no parameters. It checks the same pass order as the real runner (F before B before W per microbatch).
 */
final class EmulatedChunkRunner implements ChunkRunner {
  private boolean poisoned;
  private enum Held { ACTIVATIONS, W_STASH }

  private final int chunk;
  private final boolean first;
  private final boolean last;
  private final int microbatches;
  private final EmulatedCosts costs;
  private final Map<Integer, Held> inFlight = new HashMap<>();
  private long bytesHeld;
  /** The iteration of the latest forward: B and W of an iteration follow its forwards. */
  private int iteration;

  EmulatedChunkRunner(RunnerSpec spec, int chunk) {
    this.chunk = chunk;
    this.first = chunk == 0;
    this.last = chunk == spec.chunks() - 1;
    this.microbatches = spec.microbatches();
    this.costs = spec.emulated();
  }

  @Override
  public int chunk() {
    return chunk;
  }

  @Override
  public HostTensor forward(int iteration, int microbatch, HostTensor input) {
    check(microbatch, null, "forward");
    this.iteration = iteration;
    sleep(costs.at(chunk, costs.forward().get(chunk), iteration));
    inFlight.put(microbatch, Held.ACTIVATIONS);
    bytesHeld += costs.activationBytes().get(chunk);
    return last ? null : placeholder();
  }

  @Override
  public HostTensor backwardInput(int microbatch, HostTensor gradOutput) {
    check(microbatch, Held.ACTIVATIONS, "backwardInput");
    sleep(costs.at(chunk, costs.backwardInput().get(chunk), iteration));
    inFlight.put(microbatch, Held.W_STASH);
    bytesHeld += costs.wStashBytes().get(chunk) - costs.activationBytes().get(chunk);
    return first ? null : placeholder();
  }

  @Override
  public void backwardWeight(int microbatch) {
    check(microbatch, Held.W_STASH, "backwardWeight");
    sleep(costs.at(chunk, costs.backwardWeight().get(chunk), iteration));
    inFlight.remove(microbatch);
    bytesHeld -= costs.wStashBytes().get(chunk);
  }

  @Override
  public double loss(int microbatch) {
    return 0.0;
  }

  @Override
  public void step(int iteration) {
    poisoned = false;
  }

  /** No parameters: the post-validation step costs nothing; a poisoned gradient reads as NaN until zeroed. */
  @Override
  public void stepScaled(int iteration, float gradScale) {}

  @Override
  public void zeroGradients() {
    poisoned = false;
  }

  @Override
  public long keepForRollback(io.zbpp.gpu.optim.RollbackMode mode) {
    return 0;
  }

  @Override
  public void rollbackStep() {}

  @Override
  public void discardForwards() {
    long n = inFlight.values().stream().filter(h -> h == Held.ACTIVATIONS).count();
    inFlight.values().removeIf(h -> h == Held.ACTIVATIONS);
    bytesHeld -= n * costs.activationBytes().get(chunk);
  }

  @Override
  public void poisonGradients() {
    poisoned = true;
  }

  @Override
  public double gradNormSquared() {
    return poisoned ? Double.NaN : 0.0;
  }

  @Override
  public long bytesHeld() {
    return bytesHeld;
  }

  @Override
  public List<float[]> parameters() {
    return List.of();
  }

  @Override
  public void close() {}

  private static HostTensor placeholder() {
    return new HostTensor(new int[] {1}, new float[1]);
  }

  private void check(int mb, Held expected, String pass) {
    if (mb < 0 || mb >= microbatches) {
      throw new IllegalArgumentException("microbatch [" + mb + "]: must be in 0…" + (microbatches - 1));
    }
    if (inFlight.get(mb) != expected) {
      throw new IllegalStateException("chunk " + chunk + " microbatch " + mb + ": " + pass + " out of order");
    }
  }

  /** Parks until the deadline: parkNanos may return early, so loop on the clock. */
  static void sleep(Duration t) {
    long deadline = System.nanoTime() + t.toNanos();
    for (long left = t.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      LockSupport.parkNanos(left);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
