package io.zbpp.cli;

import io.zbpp.transport.TransportBench;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zbpp bench transport}: tensor throughput and latency between two JVMs on 127.0.0.1 over a raw JDK
 * socket, the Netty data plane and Artery (docs/transport.md), ratios to the raw socket side by side.
 */
@Command(name = "transport", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    versionProvider = Version.class,
    description = {"Tensor throughput and median latency between two JVMs on 127.0.0.1: raw socket, the Netty "
        + "data plane, Artery (192 KiB frames and the large-message channel)."})
public final class BenchTransportCommand implements Callable<Integer> {
  private static final long MAX_BYTES = 256L << 20;

  @Option(names = "--sizes", paramLabel = "LIST", defaultValue = "64k,1m,4m,16m,64m", split = ",",
      description = "Tensor sizes in bytes, k (KiB) or m (MiB) allowed, up to 256m (default: ${DEFAULT-VALUE}).")
  List<String> sizes;

  @Option(names = "--repetitions", paramLabel = "N", defaultValue = "12",
      description = "Latency samples per row (more for small sizes, up to 200 or 16 MiB); throughput sends "
          + "at least N messages and N x 4 MiB (default: ${DEFAULT-VALUE}).")
  int repetitions;

  @Option(names = "--transports", paramLabel = "LIST", defaultValue = "raw-socket,netty,artery-chunked,artery-large",
      split = ",", description = "Transports to measure; the raw socket always runs, as the baseline "
          + "(default: ${DEFAULT-VALUE}).")
  List<String> transports;

  @Option(names = "--tls-dir", paramLabel = "DIR",
      description = "Also measure the data plane with TLS (row netty-tls), both JVMs using tls.key, tls.crt and "
          + "ca.crt (PEM) from DIR.")
  Path tlsDir;

  @Option(names = "--json", description = "Print {\"dataPlane\":...,\"rows\":[...]} instead of the table.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<Integer> bytes = check();
    PrintWriter out = spec.commandLine().getOut();
    if (!json) {
      out.printf("two JVMs on 127.0.0.1, %d cores; %d interleaved rounds; MB/s: best round; latency: median one-way, "
          + "at least %d samples; CPU: both JVMs; MB = 10^6 bytes%n", Runtime.getRuntime().availableProcessors(),
          TransportBench.ROUNDS, repetitions);
      out.printf("%-15s %10s %10s %8s %12s %10s%n", "transport", "bytes", "MB/s", "ratio", "latency ms",
          "CPU s/GB");
      out.flush();
    }
    Optional<Path> tls = Optional.ofNullable(tlsDir);
    List<TransportBench.Row> rows = TransportBench.run(bytes, repetitions, transports, tls, r -> {
      if (!json) {
        out.printf(Locale.ROOT, "%-15s %10d %10.0f %8.2f %12.3f %10.2f%n", r.transport(), r.bytes(),
            r.mbPerSecond(), r.ratio(), r.latencyMillis(), r.cpuSecondsPerGb());
        out.flush();
      }
    });
    if (json) {
      List<Map<String, Object>> list = new ArrayList<>();
      for (TransportBench.Row r : rows) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("transport", r.transport());
        o.put("bytes", r.bytes());
        o.put("mbPerSecond", r.mbPerSecond());
        o.put("ratio", r.ratio());
        o.put("latencyMillis", r.latencyMillis());
        list.add(o);
      }
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("dataPlane", TransportBench.DATA_PLANE);
      doc.put("rows", list);
      out.println(Json.write(doc));
    }
    out.flush();
    return 0;
  }

  private List<Integer> check() {
    if (repetitions < 1) {
      throw new UsageException("--repetitions [" + repetitions + "]: must be at least 1");
    }
    for (String t : transports) {
      if (!TransportBench.TRANSPORTS.contains(t)) {
        throw new UsageException("--transports [" + t + "]: unknown; expected one of "
            + String.join(", ", TransportBench.TRANSPORTS));
      }
    }
    if (tlsDir != null) {
      for (String name : new String[] {"tls.key", "tls.crt", "ca.crt"}) {
        if (!Files.isReadable(tlsDir.resolve(name))) {
          throw new UsageException("--tls-dir [" + tlsDir + "]: no readable " + name
              + " (expected tls.key, tls.crt, ca.crt in PEM)");
        }
      }
    }
    List<Integer> out = new ArrayList<>();
    for (String s : sizes) {
      long b = size(s);
      if (b < 1 || b > MAX_BYTES) {
        throw new UsageException("--sizes [" + s + "]: expected a size from 1 to 256m, in bytes or with k or m "
            + "(e.g. 64k,4m)");
      }
      out.add((int) b);
    }
    return out;
  }

  private static long size(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    long unit = t.endsWith("k") ? 1 << 10 : t.endsWith("m") ? 1 << 20 : 1;
    String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
    try {
      return Long.parseLong(digits) * unit;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
