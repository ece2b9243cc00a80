package io.zbpp.protocol.msg;

import java.util.List;

/** What one stage ran in one iteration. */
public record StageTrace(int stage, List<PassRecord> passes, long peakBytes) {
  public StageTrace {
    passes = List.copyOf(passes);
  }
}
