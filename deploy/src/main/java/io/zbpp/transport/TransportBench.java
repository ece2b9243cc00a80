package io.zbpp.transport;

import java.lang.management.ManagementFactory;
import io.zbpp.dataplane.DataPlaneConfig;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * {@code zbpp bench transport}: moves tensors of each size from this JVM to a {@link TransportPeer} JVM on
 * 127.0.0.1 over a raw JDK socket, the Netty data plane and Artery, one transport at a time.
 *
 * <p>Per row: the median one-way latency of {@link #latencySamples} single messages, one at a time (from the
 * send to the full arrival by the peer's clock: both JVMs read the machine's one monotonic clock), and the
 * throughput of at least {@code repetitions} messages and at least {@code repetitions × 4 MiB}, sent back to
 * back with up to {@link #window} messages unacknowledged (Artery has no flow control and drops what overflows
 * its queues), timed from the first send to the last arrival. Both are split over {@link #ROUNDS} rounds that
 * interleave the transports; throughput is the best round's (see {@link #measure}). The raw socket goes first
 * in each round. MB are 10⁶ bytes.
 */
public final class TransportBench {
  /** The transport the runtime sends tensors over between processes. */
  public static final String DATA_PLANE = "netty";
  public static final String RAW = "raw-socket";
  public static final List<String> TRANSPORTS = List.of(RAW, DATA_PLANE, "artery-chunked", "artery-large");
  /** The data plane with TLS (mutual authentication), measured when a TLS directory is given. */
  public static final String DATA_PLANE_TLS = "netty-tls";

  /**
   * One row of the report: throughput, its ratio to the raw socket at the same size, median latency, and the CPU
   * time both JVMs spent per GB moved in the throughput batches (less sensitive to a busy machine than time).
   */
  public record Row(String transport, int bytes, double mbPerSecond, double ratio, double latencyMillis,
      double cpuSecondsPerGb) {}

  private TransportBench() {}

  /**
   * Runs every transport of {@code transports} (the raw socket always, {@link #DATA_PLANE_TLS} too when
   * {@code tlsDir} is given) at every size; rows size-major.
   */
  public static List<Row> run(List<Integer> sizes, int repetitions, List<String> transports, Optional<Path> tlsDir,
      Consumer<Row> progress) throws Exception {
    int max = sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
    ByteBuffer payload = ByteBuffer.allocateDirect(max);
    for (int i = 0; i < max; i++) {
      payload.put(i, (byte) (i * 31 + i / 251));
    }
    List<Row> rows = new ArrayList<>();
    try (PeerProcess peer = PeerProcess.start(max, tlsDir)) {
      ActorSystem system = null;
      Map<String, Probe> probes = new LinkedHashMap<>();
      try {
        probes.put(RAW, new RawSocket(peer.rawPort, payload));
        if (transports.contains(DATA_PLANE)) {
          probes.put(DATA_PLANE, new NettyProbe(DATA_PLANE, DataPlaneConfig.plain(), peer.nettyPort, payload));
        }
        if (tlsDir.isPresent()) {
          DataPlaneConfig tls = DataPlaneConfig.plain().withTls(tlsDir.get());
          probes.put(DATA_PLANE_TLS, new NettyProbe(DATA_PLANE_TLS, tls, peer.tlsPort, payload));
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
          rows.addAll(measure(probes.values(), bytes, repetitions, () -> cpuNanos() + peer.cpuNanos(), progress));
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

  /** Interleaved measuring rounds per size. */
  public static final int ROUNDS = 5;

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

  /**
   * The rows of one size: {@link #ROUNDS} rounds, each giving every transport in turn a share of the latency
   * samples and a throughput batch, so that a noisy neighbour slows all transports alike; each row reports
   * its best batch throughput (other load only ever slows a batch down) and the median of its latency samples.
   */
  private static List<Row> measure(Collection<Probe> probes, int bytes, int repetitions, LongSupplier cpu,
      Consumer<Row> progress) throws Exception {
    int samples = (latencySamples(bytes, repetitions) + ROUNDS - 1) / ROUNDS;
    long messages = Math.max(repetitions, (long) repetitions * (4 << 20) / bytes);
    int batch = (int) Math.max(window(bytes), (messages + ROUNDS - 1) / ROUNDS);
    Map<Probe, List<Double>> latency = new LinkedHashMap<>();
    Map<Probe, List<Double>> throughput = new LinkedHashMap<>();
    Map<Probe, Long> cpuUsed = new LinkedHashMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      for (Probe p : probes) {
        List<Double> lat = latency.computeIfAbsent(p, k -> new ArrayList<>());
        for (int i = 0; i < samples; i++) {
          long start = System.nanoTime();
          p.send(i, bytes);
          lat.add((p.awaitAck() - start) / 1e6);
        }
        long cpu0 = cpu.getAsLong();
        throughput.computeIfAbsent(p, k -> new ArrayList<>()).add(throughput(p, bytes, batch));
        cpuUsed.merge(p, cpu.getAsLong() - cpu0, Long::sum);
      }
    }
    double raw = best(throughput.values().iterator().next());
    List<Row> rows = new ArrayList<>();
    for (Probe p : probes) {
      double mb = best(throughput.get(p));
      double gb = (double) ROUNDS * batch * bytes / 1e9;
      Row row = new Row(p.transport(), bytes, mb, mb / raw, median(latency.get(p)), cpuUsed.get(p) / 1e9 / gb);
      rows.add(row);
      progress.accept(row);
    }
    return rows;
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double best(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
  }

  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
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
