package io.zbpp.dataplane;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The receiving half of a link's integrity protocol (docs/transport.md "Integrity"): frames are handed on in
 * sequence order, each once. A frame numbered below the next expected one, or already held, is a copy; a frame
 * ahead of the next expected one is held (in the receive buffer it was read into, under the credit it took)
 * until the gap before it is filled, and the missing numbers are asked for once each. Used on the link's event
 * loop only.
 */
final class ReceiveWindow {
  /** A frame that arrived intact. */
  record Arrival(long seq, TensorHeader header, ByteBuf payload) {}

  private final TreeMap<Long, Arrival> held = new TreeMap<>();
  private final TreeSet<Long> asked = new TreeSet<>();
  private long expected;

  /** The next frame to hand on: every frame below it was handed on; what an ACK acknowledges. */
  long expected() {
    return expected;
  }

  /** Whether frame {@code seq} was received before. */
  boolean isCopy(long seq) {
    return seq < expected || held.containsKey(seq);
  }

  /** The frames missing before {@code seq} that were not asked for yet; they count as asked for now. */
  List<Long> newGapsBefore(long seq) {
    List<Long> gaps = new ArrayList<>();
    for (long s = expected; s < seq; s++) {
      if (!held.containsKey(s) && asked.add(s)) {
        gaps.add(s);
      }
    }
    return gaps;
  }

  /** Frame {@code seq} (which arrived corrupt) is being asked for: a gap before a later frame does not ask again. */
  void asking(long seq) {
    if (seq >= expected) {
      asked.add(seq);
    }
  }

  /** The lowest frame number not received yet (what to ask for when a corrupt header hid the number). */
  long firstMissing() {
    long s = expected;
    while (held.containsKey(s)) {
      s++;
    }
    return s;
  }

  /** Frame {@code a} arrived intact (not a copy): the frames that can now be handed on, in order. */
  List<Arrival> arrived(Arrival a) {
    held.put(a.seq(), a);
    List<Arrival> ready = new ArrayList<>();
    Arrival next;
    while ((next = held.remove(expected)) != null) {
      ready.add(next);
      expected++;
    }
    asked.headSet(expected).clear();
    return ready;
  }

  /** The frames held for a gap that will not be filled now (the link is gone), to free their buffers. */
  List<Arrival> clear() {
    List<Arrival> all = new ArrayList<>(held.values());
    held.clear();
    return all;
  }
}
