package io.zbpp.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cross-stage messages a stage sat idle waiting for, read off one iteration's passes: F(c+1, j) waits for
 * the output of F(c, j); B or BW(c, j) for the gradient of B or BW(c+1, j) (c the model chunk, j the
 * microbatch). An edge counts when the producer ran on another stage and ended after the consumer's stage
 * finished its previous pass, so the consumer's start is when the message had arrived and been handed over:
 * its latency, consumer start − producer end, covers framing the tensor, the transport, the mailbox, the RECV
 * and the hand-over — what the cost model calls T_comm. A message that arrived before its stage was ready
 * hides its latency and is not counted. Only meaningful when both stages' times come from one clock.
 */
public final class WaitedEdges {
  private WaitedEdges() {}

  /**
   * A compute pass of one iteration.
   *
   * @param op F, B, W or BW
   * @param chunk the model chunk (0 … chunks − 1 over all stages)
   * @param start in any unit, on one clock for all passes given together
   */
  public record Pass(int stage, String op, int chunk, int microbatch, double start, double end) {}

  /** A waited-for message: {@code latency} = the consumer's start − the producer's end. */
  public record Edge(Pass producer, Pass consumer) {
    public double latency() {
      return consumer.start() - producer.end();
    }
  }

  /** The waited-for edges among one iteration's passes, of a model in {@code chunks} chunks. */
  public static List<Edge> of(List<Pass> passes, int chunks) {
    Map<String, Pass> byKey = new HashMap<>();
    Map<Integer, List<Pass>> byStage = new HashMap<>();
    for (Pass p : passes) {
      byKey.put(key(kind(p.op()), p.chunk(), p.microbatch()), p);
      byStage.computeIfAbsent(p.stage(), s -> new ArrayList<>()).add(p);
    }
    List<Edge> out = new ArrayList<>();
    for (List<Pass> row : byStage.values()) {
      row.sort(Comparator.comparingDouble(Pass::start));
      for (int k = 1; k < row.size(); k++) {
        Pass consumer = row.get(k);
        Pass producer = producer(consumer, byKey, chunks);
        if (producer != null && producer.stage() != consumer.stage() && producer.end() > row.get(k - 1).end()) {
          out.add(new Edge(producer, consumer));
        }
      }
    }
    return out;
  }

  private static Pass producer(Pass c, Map<String, Pass> byKey, int chunks) {
    return switch (kind(c.op())) {
      case "F" -> c.chunk() == 0 ? null : byKey.get(key("F", c.chunk() - 1, c.microbatch()));
      case "B" -> c.chunk() == chunks - 1 ? null : byKey.get(key("B", c.chunk() + 1, c.microbatch()));
      default -> null;
    };
  }

  private static String kind(String op) {
    return op.equals("BW") ? "B" : op;
  }

  private static String key(String kind, int chunk, int microbatch) {
    return kind + chunk + "." + microbatch;
  }
}
