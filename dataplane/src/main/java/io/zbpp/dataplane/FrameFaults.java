package io.zbpp.dataplane;

import io.zbpp.protocol.msg.JobEpoch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The frame faults of one sending stage ({@link DataPlane#frameFaults}): numbers the tensors the stage sends in
 * each iteration of a job epoch, over all its links, in the order {@link DataLink#send} is called, and says
 * which fault, if any, the tensor gets. Each fault fires once: a replay of its iteration (a later epoch) sends
 * cleanly. Thread-safe; {@link #NONE} injects nothing.
 */
public final class FrameFaults {
  public static final FrameFaults NONE = new FrameFaults(List.of());

  private final List<FrameFault> faults;
  private final List<FrameFault> pending;
  private final List<FrameFault> fired = new ArrayList<>();
  /** Sends so far per iteration of {@link #epoch}. */
  private final Map<Integer, Integer> sent = new HashMap<>();
  private JobEpoch epoch;

  private FrameFaults(List<FrameFault> faults) {
    this.faults = List.copyOf(faults);
    this.pending = new ArrayList<>(faults);
  }

  /** The faults of {@code all} that stage {@code stage} injects into what it sends. */
  public static FrameFaults of(int stage, List<FrameFault> all) {
    List<FrameFault> mine = all.stream().filter(f -> f.stage() == stage).toList();
    return mine.isEmpty() ? NONE : new FrameFaults(mine);
  }

  /** The faults this stage injects, fired or not. */
  public List<FrameFault> faults() {
    return faults;
  }

  /** The faults that fired so far, in order. */
  public synchronized List<FrameFault> fired() {
    return List.copyOf(fired);
  }

  /** Counts one send of {@code header}'s iteration and returns the fault it gets. */
  synchronized Optional<FrameFault> next(TensorHeader header) {
    if (pending.isEmpty()) {
      return Optional.empty();
    }
    if (!header.job().equals(epoch)) {
      epoch = header.job();
      sent.clear();
    }
    int iteration = header.key().iteration();
    int index = sent.merge(iteration, 1, Integer::sum) - 1;
    for (FrameFault f : pending) {
      if (f.iteration() == iteration && f.index() == index) {
        pending.remove(f);
        fired.add(f);
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
