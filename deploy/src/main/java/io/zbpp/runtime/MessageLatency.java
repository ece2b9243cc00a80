package io.zbpp.runtime;

import io.zbpp.runtime.TrainReport.TimelineBar;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The runtime's per-message overhead, read off what ran: for every cross-stage dependency (F(c+1, j) on the
 * output of F(c, j); B/BW(c, j) on the gradient of B/BW(c+1, j)) whose consumer stage sat idle waiting for
 * it, the time from the producer's end to the consumer's start. That covers framing the tensor, the tell,
 * the mailbox, the RECV and the hand-over to the consumer's executor — what the cost model calls T_comm.
 * Needs one clock for all stages (one JVM).
 */
final class MessageLatency {
  private MessageLatency() {}

  /** The latencies in ms of all waited-for cross-stage edges of all iterations after the first. */
  static List<Double> of(TrainReport r, int chunks) {
    Map<String, TimelineBar> byKey = new HashMap<>();
    Map<Integer, List<TimelineBar>> byStage = new HashMap<>();
    for (TimelineBar b : r.timeline()) {
      byKey.put(key(b.iteration(), kind(b.op()), b.chunk(), b.microbatch()), b);
      byStage.computeIfAbsent(b.iteration() * 10_000 + b.stage(), k -> new ArrayList<>()).add(b);
    }
    List<Double> out = new ArrayList<>();
    for (List<TimelineBar> bars : byStage.values()) {
      bars.sort((a, b) -> Double.compare(a.startMillis(), b.startMillis()));
      for (int k = 1; k < bars.size(); k++) {
        TimelineBar c = bars.get(k);
        TimelineBar producer = producer(c, byKey, chunks);
        if (c.iteration() > 0 && producer != null && producer.stage() != c.stage()
            && producer.endMillis() > bars.get(k - 1).endMillis()) {
          out.add(c.startMillis() - producer.endMillis());
        }
      }
    }
    return out;
  }

  private static TimelineBar producer(TimelineBar c, Map<String, TimelineBar> byKey, int chunks) {
    return switch (kind(c.op())) {
      case "F" -> c.chunk() == 0 ? null : byKey.get(key(c.iteration(), "F", c.chunk() - 1, c.microbatch()));
      case "B" -> c.chunk() == chunks - 1 ? null : byKey.get(key(c.iteration(), "B", c.chunk() + 1, c.microbatch()));
      default -> null;
    };
  }

  private static String kind(String op) {
    return op.equals("BW") ? "B" : op;
  }

  private static String key(int it, String kind, int chunk, int mb) {
    return it + kind + chunk + "." + mb;
  }
}
