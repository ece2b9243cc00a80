package io.zbpp.dataplane;

import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.TensorKey;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The keys {@code (job epoch, tensor key)} a plane delivered lately, to make a duplicated tensor harmless: a
 * key names one tensor of one job incarnation (iteration, kind, microbatch, chunk, attempt; a data plane frame
 * is always part 0 of 1), so a second tensor with a delivered key is a copy and is dropped. Remembers the last
 * {@value #CAPACITY} keys — many iterations of any pipeline; an older copy is of an iteration the stage has
 * left, which it drops as stale anyway. Thread-safe.
 */
final class DeliveredKeys {
  static final int CAPACITY = 4096;

  private record Id(JobEpoch job, TensorKey key) {}

  private final Map<Id, Boolean> recent = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Id, Boolean> eldest) {
      return size() > CAPACITY;
    }
  };

  /** Records {@code header}'s key; false if it was delivered before (the tensor is a duplicate). */
  synchronized boolean first(TensorHeader header) {
    return recent.putIfAbsent(new Id(header.job(), header.key()), Boolean.TRUE) == null;
  }

  /** Hands {@code tensor} to {@code sink}, unless its key was delivered before: a copy, released and counted. */
  void deliver(TensorSink sink, DataLink link, ReceivedTensor tensor, FrameCounters counters) {
    if (first(tensor.header())) {
      sink.onTensor(link, tensor);
    } else {
      counters.duplicates.increment();
      tensor.release();
    }
  }
}
