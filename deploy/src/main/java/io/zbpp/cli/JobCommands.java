package io.zbpp.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.zbpp.client.ZbppClient;
import io.zbpp.client.ZbppException;
import io.zbpp.jobs.JobApiServer;
import io.zbpp.jobs.JobStore;
import io.zbpp.jobs.Tokens;
import io.zbpp.protocol.jobs.Iteration;
import io.zbpp.protocol.jobs.Job;
import io.zbpp.protocol.jobs.JobEvent;
import io.zbpp.protocol.jobs.JobResult;
import io.zbpp.protocol.jobs.JobSpec;
import io.zbpp.protocol.jobs.JobState;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The job API's commands (docs/jobs.md): the client commands {@code zbpp submit|jobs|status|watch|cancel|result}
 * and {@code zbpp job-server}, the API on the in-JVM runtime. A failed call prints one line on stderr: exit 2 for
 * a bad spec or argument (INVALID_ARGUMENT), 1 for every other refusal.
 */
final class JobCommands {
  private JobCommands() {}

  /** The options every client command takes: where the server is, the token, TLS trust. */
  static final class ClientOptions {
    @Option(names = "--server", paramLabel = "HOST:PORT",
        description = "The coordinator's job API (default: $ZBPP_SERVER or 127.0.0.1:7070).")
    String server;

    @Option(names = "--token-file", paramLabel = "FILE",
        description = "A token file (name:token lines; the first line's token is used); default: $ZBPP_TOKEN.")
    Path tokenFile;

    @Option(names = "--ca", paramLabel = "FILE",
        description = "Connect over TLS, trusting this CA certificate (PEM, the cluster's ca.crt); without it "
            + "plain TCP.")
    Path ca;

    ZbppClient connect() {
      String target = target();
      ZbppClient.Options o = ZbppClient.options().token(token());
      if (ca != null) {
        checkCa(ca);
        o.trust(ca);
      }
      return ZbppClient.connect(target, o);
    }

    /** The server's {@code host:port}, checked before any connection: a port from 1 to 65535, a known host. */
    String target() {
      String option = server != null ? "--server" : "ZBPP_SERVER";
      String target = server != null ? server
          : Optional.ofNullable(System.getenv("ZBPP_SERVER")).orElse("127.0.0.1:7070");
      String accepted = "; expected HOST:PORT with a port from 1 to 65535, e.g. 127.0.0.1:7070";
      int colon = target.lastIndexOf(':');
      String host = colon < 0 ? "" : target.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      if (host.isEmpty()) {
        throw new UsageException(option + " [" + target + "]: no host" + (colon < 0 ? " and no port" : "")
            + accepted);
      }
      int port;
      try {
        port = Integer.parseInt(target.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new UsageException(option + " [" + target + "]: no port" + accepted);
      }
      if (port < 1 || port > 65535) {
        throw new UsageException(option + " [" + target + "]: port " + port + " out of range" + accepted);
      }
      try {
        InetAddress.getByName(host);
      } catch (UnknownHostException | IllegalArgumentException e) {
        throw new UsageException(option + " [" + target + "]: unknown host [" + host + "]" + accepted);
      }
      return target;
    }

    /** The CA file must be a readable PEM certificate: the TLS library would otherwise fail with a stack trace. */
    static void checkCa(Path ca) {
      String accepted = "; expected the CA certificate (PEM, the cluster's ca.crt)";
      if (Files.isDirectory(ca)) {
        throw new UsageException("--ca [" + ca + "]: is a directory" + accepted);
      }
      if (!Files.isReadable(ca)) {
        throw new UsageException("--ca [" + ca + "]: no such readable file" + accepted);
      }
      try (InputStream in = Files.newInputStream(ca)) {
        if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
          throw new UsageException("--ca [" + ca + "]: no certificate in it" + accepted);
        }
      } catch (IOException | CertificateException e) {
        throw new UsageException("--ca [" + ca + "]: not a PEM certificate" + accepted);
      }
    }

    private String token() {
      if (tokenFile == null) {
        String env = System.getenv("ZBPP_TOKEN");
        return env == null ? "" : env.strip();
      }
      checkTokenFile(tokenFile);
      try {
        for (String line : Files.readAllLines(tokenFile)) {
          String l = line.strip();
          if (!l.isEmpty() && !l.startsWith("#")) {
            int colon = l.indexOf(':');
            return colon < 0 ? l : l.substring(colon + 1);
          }
        }
      } catch (IOException e) {
        throw new UsageException("--token-file [" + tokenFile + "]: cannot read: " + e.getMessage());
      }
      throw new UsageException("--token-file [" + tokenFile + "]: no token in it; expected a name:token line");
    }
  }

  /** A token file must exist and be a file: "cannot read: PATH" alone would not say which. */
  static void checkTokenFile(Path file) {
    if (Files.isDirectory(file)) {
      throw new UsageException("--token-file [" + file + "]: is a directory; expected a file of name:token lines");
    }
    if (!Files.exists(file)) {
      throw new UsageException("--token-file [" + file + "]: no such file; expected a file of name:token lines");
    }
  }

  /** Runs a client call; a refusal is one line on stderr and the exit code. */
  abstract static class ClientCommand implements Callable<Integer> {
    @Mixin ClientOptions client;
    @Spec CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    @Override
    public Integer call() {
      try (ZbppClient c = client.connect()) {
        return run(c);
      } catch (ZbppException.Unavailable e) {
        spec.commandLine().getErr().println("zbpp " + spec.name() + ": " + e.code() + ": cannot reach the job API at "
            + client.target() + " (" + e.getMessage().lines().findFirst().orElse("").strip()
            + "); is zbpp job-server running there, and is --ca given exactly when it serves TLS?");
        spec.commandLine().getErr().flush();
        return 1;
      } catch (ZbppException e) {
        spec.commandLine().getErr().println("zbpp " + spec.name() + ": " + e.code() + ": " + e.getMessage());
        spec.commandLine().getErr().flush();
        return e instanceof ZbppException.InvalidArgument ? Main.BAD_INPUT : 1;
      } finally {
        out().flush();
      }
    }

    abstract int run(ZbppClient c);
  }

  static String json(MessageOrBuilder m) {
    try {
      return JsonFormat.printer().omittingInsignificantWhitespace().print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  @Command(name = "submit", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = {"Submit a training job (a YAML or JSON spec file) to the job API; prints its id.",
          "Exit code 0: queued (with --watch: succeeded); 1: refused or failed; 2: bad spec."})
  static final class Submit extends ClientCommand {
    @Parameters(paramLabel = "SPEC", description = "The job spec: YAML (.yaml, .yml) or JSON, jobs.proto's "
        + "JobSpec field names in lowerCamelCase.")
    Path file;

    @Option(names = "--watch", description = "Then watch the job to its end (as zbpp watch).")
    boolean watch;

    @Option(names = "--json", description = "Print {\"id\": ...} (with --watch: then the events as JSON lines).")
    boolean json;

    @Override
    public Integer call() {
      SpecFiles.read(file);
      return super.call();
    }

    @Override
    int run(ZbppClient c) {
      String id = c.submit(SpecFiles.read(file));
      out().println(json ? Json.write(Map.of("id", id)) : id);
      out().flush();
      return watch ? Watch.follow(c, id, json, out(), spec.commandLine().getErr()) : 0;
    }
  }

  @Command(name = "jobs", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = "List the jobs of the job API, oldest first.")
  static final class Jobs extends ClientCommand {
    @Option(names = "--state", paramLabel = "STATE",
        description = "Only jobs in this state: queued, running, succeeded, failed, cancelled.")
    String state;

    @Option(names = "--json", description = "Print one JSON array of jobs.")
    boolean json;

    @Override
    int run(ZbppClient c) {
      JobState s = JobState.JOB_STATE_UNSPECIFIED;
      if (state != null) {
        try {
          s = JobState.valueOf(state.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new UsageException("--state [" + state + "]: unknown; expected one of queued, running, "
              + "succeeded, failed, cancelled");
        }
        if (s == JobState.JOB_STATE_UNSPECIFIED || s == JobState.UNRECOGNIZED) {
          throw new UsageException("--state [" + state + "]: unknown; expected one of queued, running, "
              + "succeeded, failed, cancelled");
        }
      }
      List<Job> jobs = c.list(s);
      if (json) {
        out().println("[" + String.join(",", jobs.stream().map(JobCommands::json).toList()) + "]");
        return 0;
      }
      out().printf(Locale.ROOT, "%-12s %-10s %-10s %-8s %-6s %s%n", "ID", "STATE", "OWNER", "SCHEDULE", "ITER",
          "NAME");
      for (Job j : jobs) {
        out().printf(Locale.ROOT, "%-12s %-10s %-10s %-8s %-6s %s%n", j.getId(), lower(j.getState()),
            j.getOwner(), j.getSpec().getSchedule(), j.getIterationsDone() + "/" + j.getSpec().getIterations(),
            j.getName());
      }
      return 0;
    }
  }

  static String lower(JobState s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = "Show one job of the job API.")
  static final class Status extends ClientCommand {
    @Parameters(paramLabel = "ID") String id;

    @Option(names = "--json", description = "Print the job as one JSON object.")
    boolean json;

    @Override
    int run(ZbppClient c) {
      Job j = c.get(id);
      if (json) {
        out().println(json(j));
        return 0;
      }
      out().printf(Locale.ROOT, "%s  %s  owner %s  %s p=%d m=%d  iteration %d/%d%s%n", j.getId(),
          lower(j.getState()), j.getOwner(), j.getSpec().getSchedule(), j.getSpec().getStages(),
          j.getSpec().getMicrobatches(), j.getIterationsDone(), j.getSpec().getIterations(),
          j.getReason().isEmpty() ? "" : "  (" + j.getReason() + ")");
      return 0;
    }
  }

  @Command(name = "watch", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = {"Follow a job of the job API to its end: a line per event and, on a terminal, a progress bar "
          + "with loss and bubble rate.", "Exit code 0: the job succeeded; 1: it failed or was cancelled."})
  static final class Watch extends ClientCommand {
    @Parameters(paramLabel = "ID") String id;

    @Option(names = "--json", description = "Print each event as one JSON line (jobs.proto JobEvent).")
    boolean json;

    @Override
    int run(ZbppClient c) {
      return follow(c, id, json, out(), spec.commandLine().getErr());
    }

    /** Prints the job's events until it ends; 0 when it succeeded. */
    static int follow(ZbppClient c, String id, boolean json, PrintWriter out, PrintWriter err) {
      JobState end = JobState.JOB_STATE_UNSPECIFIED;
      Progress bar = null;
      try (ZbppClient.Events events = c.watch(id)) {
        while (events.hasNext()) {
          JobEvent e = events.next();
          if (json) {
            out.println(json(e));
            out.flush();
          } else {
            bar = text(e, bar, out, err);
          }
          if (e.hasFinished()) {
            end = e.getFinished().getState();
          }
        }
      } finally {
        if (bar != null) {
          bar.finish();
        }
      }
      return end == JobState.SUCCEEDED ? 0 : 1;
    }

    private static Progress text(JobEvent e, Progress bar, PrintWriter out, PrintWriter err) {
      switch (e.getEventCase()) {
        case QUEUED -> out.println(e.getJobId() + " queued, " + e.getQueued().getPosition() + " ahead");
        case PLANNED -> out.printf(Locale.ROOT, "%s planned: %s, predicted bubble rate %.4f, stages on %s%n",
            e.getJobId(), e.getPlanned().getSchedule(), e.getPlanned().getPredictedBubbleRate(),
            String.join(", ", e.getPlanned().getPlacementList()));
        case ITERATION -> {
          Iteration it = e.getIteration();
          if (bar == null) {
            bar = Progress.of(out, err, it.getIterations(), true);
          }
          String note = String.format(Locale.ROOT, "loss %.4f bubble %.3f", it.getLoss(),
              it.getRealizedBubbleRate());
          bar.line(String.format(Locale.ROOT, "iteration %d/%d  %s  %.0f ms", it.getIteration() + 1,
              it.getIterations(), note, it.getMillis()));
          bar.update(it.getIteration() + 1, note);
        }
        case FINISHED -> {
          if (bar != null) {
            bar.finish();
          }
          out.println(e.getJobId() + " " + lower(e.getFinished().getState())
              + (e.getFinished().getReason().isEmpty() ? "" : ": " + e.getFinished().getReason()));
          return null;
        }
        default -> out.println(json(e));
      }
      out.flush();
      return bar;
    }
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = "Cancel a queued or running job of the job API (its owner or an admin token).")
  static final class Cancel extends ClientCommand {
    @Parameters(paramLabel = "ID") String id;

    @Override
    int run(ZbppClient c) {
      out().println(id + " " + lower(c.cancel(id)));
      return 0;
    }
  }

  @Command(name = "result", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = "Print the result of a succeeded job of the job API: losses and parameter digest.")
  static final class Result extends ClientCommand {
    @Parameters(paramLabel = "ID") String id;

    @Option(names = "--json", description = "Print one JSON object (id, state, losses, paramsSha256, …).")
    boolean json;

    @Override
    int run(ZbppClient c) {
      JobResult r = c.result(id);
      if (json) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", r.getId());
        o.put("state", lower(r.getState()));
        o.put("schedule", r.getSchedule());
        o.put("losses", Json.exact(r.getLossesList()));
        o.put("paramsSha256", r.getParamsSha256());
        o.put("predictedBubbleRate", r.getPredictedBubbleRate());
        o.put("realizedBubbleRate", r.getRealizedBubbleRate());
        o.put("iterationMillis", r.getIterationMillisList());
        o.put("samplesPerSecond", r.getSamplesPerSecond());
        out().println(Json.write(o));
        return 0;
      }
      List<String> losses = new ArrayList<>();
      r.getLossesList().forEach(l -> losses.add(String.format(Locale.ROOT, "%.4f", l)));
      out().printf(Locale.ROOT, "%s %s  %s%nlosses %s%nbubble rate: predicted %.4f, realized %.4f%n"
          + "paramsSha256 %s%n", r.getId(), lower(r.getState()), r.getSchedule(), String.join(" ", losses),
          r.getPredictedBubbleRate(), r.getRealizedBubbleRate(), r.getParamsSha256());
      return 0;
    }
  }

  @Command(name = "job-server", mixinStandardHelpOptions = true, versionProvider = Version.class,
      description = {"Serve the job API (gRPC) with jobs trained in this JVM (one actor system per job), "
          + "records in --data-dir; runs until stopped.",
          "Exit code 2: bad input (a port in use, a missing file)."})
  static final class Server implements Callable<Integer> {
    @Option(names = "--api-port", paramLabel = "PORT", defaultValue = "7070",
        description = "Port of the job API (default: ${DEFAULT-VALUE}; 0: a free one).")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR", required = true,
        description = "Where the job records live (an H2 database, jobs.mv.db).")
    Path dataDir;

    @Option(names = "--token-file", paramLabel = "FILE", required = true,
        description = "Bearer tokens, one name:token per line (the name admin may cancel every job); re-read "
            + "when it changes.")
    Path tokenFile;

    @Option(names = "--tls-dir", paramLabel = "DIR",
        description = "Serve over TLS with tls.crt and tls.key (PKCS#8) from DIR; without it plain TCP.")
    Path tlsDir;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "4",
        description = "Worker devices the jobs share, one per stage (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
        description = "Address the job API listens on (default: ${DEFAULT-VALUE}); plain TCP on a non-loopback "
            + "address needs --tls-dir or --insecure (tokens travel in every call).")
    String host;

    @Option(names = "--insecure", description = "Allow plain TCP on a non-loopback --host.")
    boolean insecure;

    @Spec CommandSpec spec;

    private static String rootMessage(Throwable e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String m = String.valueOf(root.getMessage());
      return m.lines().findFirst().orElse(root.getClass().getSimpleName()).strip();
    }

    private static boolean hasToken(Path file) {
      try {
        return Files.readAllLines(file).stream().map(String::strip)
            .anyMatch(l -> !l.isEmpty() && !l.startsWith("#"));
      } catch (IOException e) {
        throw new UsageException("--token-file [" + file + "]: cannot read: " + e.getMessage());
      }
    }

    @Override
    public Integer call() throws InterruptedException {
      if (devices < 1) {
        throw new UsageException("--devices [" + devices + "]: must be at least 1");
      }
      if (port < 0 || port > 65535) {
        throw new UsageException("--api-port [" + port + "]: expected 0 to 65535");
      }
      if (tlsDir == null && !insecure && !io.zbpp.server.NodeSettings.isLoopback(host)) {
        throw new UsageException("--host [" + host + "]: plain TCP on a non-loopback address; give --tls-dir DIR "
            + "(zbpp certs makes one) or --insecure");
      }
      checkTokenFile(tokenFile);
      Tokens tokens;
      try {
        tokens = Tokens.load(tokenFile);
      } catch (RuntimeException e) {
        throw new UsageException(e.getMessage());
      }
      if (!hasToken(tokenFile)) {
        // A server that no token opens answers every call UNAUTHENTICATED: refuse to start it.
        throw new UsageException("--token-file [" + tokenFile + "]: no token in it; expected name:token lines "
            + "(e.g. alice:$(openssl rand -hex 24))");
      }
      if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
        throw new UsageException("--data-dir [" + dataDir + "]: is a file; expected a directory");
      }
      try {
        Files.createDirectories(dataDir);
      } catch (IOException e) {
        throw new UsageException("--data-dir [" + dataDir + "]: cannot create: " + e.getMessage());
      }
      JobStore store;
      try {
        store = JobStore.open(dataDir);
      } catch (RuntimeException e) {
        throw new UsageException("--data-dir [" + dataDir + "]: cannot open the job records"
            + (String.valueOf(e.getMessage()).contains("already in use")
                ? ": another process (a running zbpp job-server?) holds them" : ": " + rootMessage(e))
            + "; expected a directory of job records that no other server uses");
      }
      JobApiServer server;
      try {
        server = JobApiServer.start(host, port, Optional.ofNullable(tlsDir), store, new TrainJobRunner(devices),
            tokens);
      } catch (RuntimeException e) {
        store.close();
        throw new UsageException(e.getMessage());
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        server.close();
        store.close();
        stopped.countDown();
      }));
      spec.commandLine().getOut().printf("job API on port %d (%s), %d devices, records in %s%n", server.port(),
          tlsDir == null ? "plain TCP" : "TLS", devices, dataDir);
      spec.commandLine().getOut().flush();
      stopped.await();
      return 0;
    }
  }
}
