package io.zbpp.dataplane;

import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.TensorKey;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A {@link TensorSink} that files tensors by {@code (job, key)}: {@link #take} returns a future that completes
 * when that tensor has arrived (or at once if it already has), whichever happens first. A lost link fails every
 * pending take, since the tensors it would have brought will not come. Thread-safe.
 */
public final class TensorInbox implements TensorSink {
  private record Id(JobEpoch job, TensorKey key) {}

  private final Map<Id, CompletableFuture<ReceivedTensor>> slots = new ConcurrentHashMap<>();

  /** The tensor {@code key} of {@code job}; the caller releases it once read. Each key is taken once. */
  public CompletableFuture<ReceivedTensor> take(JobEpoch job, TensorKey key) {
    Id id = new Id(job, key);
    CompletableFuture<ReceivedTensor> f = slots.computeIfAbsent(id, k -> new CompletableFuture<>());
    f.whenComplete((t, e) -> slots.remove(id, f));
    return f;
  }

  /**
   * Releases the tensors that arrived but were not taken and match {@code which}: a stage calls it with the
   * stale incarnations or the rejected attempt, whose tensors nobody will take (holding them would keep the
   * sender's credits forever). Returns how many were released.
   */
  public int discard(Predicate<TensorHeader> which) {
    int n = 0;
    for (Map.Entry<Id, CompletableFuture<ReceivedTensor>> e : slots.entrySet()) {
      ReceivedTensor t = e.getValue().getNow(null);
      if (t != null && which.test(t.header()) && slots.remove(e.getKey(), e.getValue())) {
        t.release();
        n++;
      }
    }
    return n;
  }

  @Override
  public void onTensor(DataLink link, ReceivedTensor tensor) {
    TensorHeader h = tensor.header();
    CompletableFuture<ReceivedTensor> f =
        slots.computeIfAbsent(new Id(h.job(), h.key()), k -> new CompletableFuture<>());
    if (!f.complete(tensor)) {
      tensor.release();
    }
  }

  @Override
  public void onLinkLost(DataLink link, Throwable cause) {
    slots.values().forEach(f -> f.completeExceptionally(cause));
  }
}
