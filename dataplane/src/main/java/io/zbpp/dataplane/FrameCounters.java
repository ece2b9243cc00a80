package io.zbpp.dataplane;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link FrameCounts}, shared by a plane's links (each on its own I/O thread). */
final class FrameCounters {
  final LongAdder injected = new LongAdder();
  final LongAdder corrupted = new LongAdder();
  final LongAdder missing = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder retransmits = new LongAdder();

  FrameCounts snapshot() {
    return new FrameCounts(injected.sum(), corrupted.sum(), missing.sum(), duplicates.sum(), retransmits.sum());
  }
}
