package io.zbpp.runtime;

import io.zbpp.metrics.WaitedEdges;
import io.zbpp.runtime.TrainReport.TimelineBar;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The runtime's per-message overhead, read off what ran: the latencies of the cross-stage messages a stage
 * waited for ({@link WaitedEdges}), which cover framing the tensor, the tell, the mailbox, the RECV and the
 * hand-over to the consumer's executor — what the cost model calls T_comm. Needs one clock for all stages (one
 * JVM).
 */
public final class MessageLatency {
  private MessageLatency() {}

  /** The latencies in ms of all waited-for cross-stage edges of all iterations after the first. */
  public static List<Double> of(TrainReport r, int chunks) {
    Map<Integer, List<WaitedEdges.Pass>> byIteration = new TreeMap<>();
    for (TimelineBar b : r.timeline()) {
      if (b.iteration() > 0) {
        byIteration.computeIfAbsent(b.iteration(), i -> new ArrayList<>()).add(new WaitedEdges.Pass(b.stage(),
            b.op(), b.chunk(), b.microbatch(), b.startMillis(), b.endMillis()));
      }
    }
    List<Double> out = new ArrayList<>();
    byIteration.values().forEach(passes -> WaitedEdges.of(passes, chunks).forEach(e -> out.add(e.latency())));
    return out;
  }
}
