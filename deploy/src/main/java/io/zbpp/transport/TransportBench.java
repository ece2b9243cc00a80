package io.zbpp.transport;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.actor.ActorSystem;

/**
 * {@code zbpp bench transport}: moves tensors of each size from this JVM to a {@link TransportPeer} JVM on
 * 127.0.0.1 over a raw JDK socket, the Netty data plane and Artery, one transport at a time.
 *
 * <p>Per row: the median one-way latency of {@link #latencySamples} single messages, one at a time (from the
 * send to the full arrival by the peer's clock: both JVMs read the machine's one monotonic clock), then the throughput of at least
 * {@code repetitions} messages and at least {@code repetitions × 4 MiB} sent back to back with up to
 * {@link #window} messages unacknowledged (Artery has no flow control and drops what overflows its queues),
 * timed from the first send to the last arrival. MB are 10⁶ bytes.
 */
public final class TransportBench {
  /** The transport the runtime sends tensors over between processes. */
  public static final String DATA_PLANE = "netty";
  public static final String RAW = "raw-socket";
  public static final List<String> TRANSPORTS = List.of(RAW, DATA_PLANE, "artery-chunked", "artery-large");

  /** One row of the report: throughput, its ratio to the raw socket at the same size, median latency. */
  public record Row(String transport, int bytes, double mbPerSecond, double ratio, double latencyMillis) {}

  private TransportBench() {}

  /** Runs every transport of {@code transports} (the raw socket always) at every size; rows size-major. */
  public static List<Row> run(List<Integer> sizes, int repetitions, List<String> transports, Consumer<Row> progress)
      throws Exception {
    int max = sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
    ByteBuffer payload = ByteBuffer.allocateDirect(max);
    for (int i = 0; i < max; i++) {
      payload.put(i, (byte) (i * 31 + i / 251));
    }
    List<Row> rows = new ArrayList<>();
    try (PeerProcess peer = PeerProcess.start(max)) {
      ActorSystem system = null;
      Map<String, Probe> probes = new LinkedHashMap<>();
      try {
        probes.put(RAW, new RawSocket(peer.rawPort, payload));
        if (transports.contains(DATA_PLANE)) {
          probes.put(DATA_PLANE, new NettyProbe(peer.nettyPort, payload));
        }
        for (String name : List.of(Artery.CHUNKED, Artery.LARGE)) {
          if (transports.contains("artery-" + name)) {
            if (system == null) {
              system = ActorSystem.create("bench", Artery.config(max));
            }
            probes.put("artery-" + name, ArteryProbe.open(system, peer.arteryPort, name, payload));
          }
        }
        for (Probe p : probes.values()) {
          warmUp(p, sizes);
        }
        for (int bytes : sizes) {
          double raw = Double.NaN;
          for (Probe p : probes.values()) {
            double[] m = measure(p, bytes, repetitions);
            raw = p.transport().equals(RAW) ? m[0] : raw;
            Row row = new Row(p.transport(), bytes, m[0], m[0] / raw, m[1]);
            rows.add(row);
            progress.accept(row);
          }
        }
      } finally {
        for (Probe p : probes.values()) {
          p.close();
        }
        if (system != null) {
          system.terminate();
          system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
      }
    }
    return rows;
  }

  /** Messages in flight while measuring throughput: about 32 MiB, at least 2, at most 16. */
  static int window(int bytes) {
    return Math.max(2, Math.min(16, (32 << 20) / Math.max(1, bytes)));
  }

  /** Lets the JIT compile both sides' paths: ~64 MiB (≤ 1000 messages) of the smallest size, then 3 of each. */
  private static void warmUp(Probe p, List<Integer> sizes) throws Exception {
    int small = sizes.stream().mapToInt(Integer::intValue).min().orElseThrow();
    throughput(p, small, Math.max(2, Math.min(1000, (64 << 20) / small)));
    for (int bytes : sizes) {
      throughput(p, bytes, 3);
    }
  }

  /** {mbPerSecond, median latency ms}. */
  private static double[] measure(Probe p, int bytes, int repetitions) throws Exception {
    double[] latency = new double[latencySamples(bytes, repetitions)];
    for (int i = 0; i < latency.length; i++) {
      long start = System.nanoTime();
      p.send(i, bytes);
      latency[i] = (p.awaitAck() - start) / 1e6;
    }
    Arrays.sort(latency);
    int n = latency.length;
    double median = n % 2 == 1 ? latency[n / 2] : (latency[n / 2 - 1] + latency[n / 2]) / 2;
    int messages = (int) Math.max(repetitions, (long) repetitions * (4 << 20) / bytes);
    return new double[] {throughput(p, bytes, messages), median};
  }

  /** At least {@code repetitions}; more for small messages (up to 200, about 16 MiB), which are cheap. */
  static int latencySamples(int bytes, int repetitions) {
    return Math.max(repetitions, Math.min(200, (16 << 20) / bytes));
  }

  private static double throughput(Probe p, int bytes, int messages) throws Exception {
    int window = window(bytes);
    long start = System.nanoTime();
    long last = start;
    for (int i = 0; i < messages; i++) {
      if (i >= window) {
        last = p.awaitAck();
      }
      p.send(i, bytes);
    }
    for (int i = Math.max(0, messages - window); i < messages; i++) {
      last = p.awaitAck();
    }
    return (double) messages * bytes / ((last - start) / 1e9) / 1e6;
  }
}
