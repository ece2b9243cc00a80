package io.zbpp.client;

import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import io.zbpp.protocol.jobs.CancelRequest;
import io.zbpp.protocol.jobs.GetRequest;
import io.zbpp.protocol.jobs.Job;
import io.zbpp.protocol.jobs.JobEvent;
import io.zbpp.protocol.jobs.JobResult;
import io.zbpp.protocol.jobs.JobServiceGrpc;
import io.zbpp.protocol.jobs.JobSpec;
import io.zbpp.protocol.jobs.JobState;
import io.zbpp.protocol.jobs.ListRequest;
import io.zbpp.protocol.jobs.ListResponse;
import io.zbpp.protocol.jobs.ResultRequest;
import io.zbpp.protocol.jobs.SubmitRequest;
import io.zbpp.protocol.jobs.WatchRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A client of the zbpp job API (docs/jobs.md): submit training jobs to a coordinator, look at them, watch them,
 * cancel them and fetch their results. Failed calls throw a subclass of {@link ZbppException}.
 *
 * <pre>{@code
 * try (ZbppClient zbpp = ZbppClient.connect("coordinator:7070",
 *     ZbppClient.options().token(System.getenv("ZBPP_TOKEN")).trust(Path.of("certs/ca.crt")))) {
 *   String id = zbpp.submit(JobSpecs.builder("zb-2p", 4, 8).iterations(3).model("tiny").seed(11).build());
 *   try (ZbppClient.Events events = zbpp.watch(id)) {
 *     events.forEachRemaining(e -> {
 *       if (e.hasIteration()) {
 *         System.out.println(e.getIteration().getIteration() + " " + e.getIteration().getLoss());
 *       }
 *     });
 *   }
 *   System.out.println(zbpp.result(id).getParamsSha256());
 * }
 * }</pre>
 */
public final class ZbppClient implements AutoCloseable {
  private final ManagedChannel owned;
  private final JobServiceGrpc.JobServiceBlockingStub blocking;
  private final JobServiceGrpc.JobServiceStub async;

  private ZbppClient(Channel channel, ManagedChannel owned, String token) {
    this.owned = owned;
    CallCredentials bearer = new Bearer(token);
    this.blocking = JobServiceGrpc.newBlockingStub(channel).withCallCredentials(bearer);
    this.async = JobServiceGrpc.newStub(channel).withCallCredentials(bearer);
  }

  /** How to connect: the bearer token, and TLS trust (a CA certificate file) or plain TCP. */
  public static final class Options {
    private String token = "";
    private Path trust;
    private boolean plaintext = true;

    private Options() {}

    /** The bearer token (a line's token part in the server's token file). */
    public Options token(String t) {
      token = Objects.requireNonNull(t, "token");
      return this;
    }

    /** Connect over TLS, trusting server certificates signed by this CA (PEM, e.g. the cluster's ca.crt). */
    public Options trust(Path caCertificate) {
      trust = caCertificate;
      plaintext = false;
      return this;
    }

    /** Connect over TLS, trusting the JVM's default CAs. */
    public Options tls() {
      plaintext = false;
      return this;
    }
  }

  /** Options with no token and plain TCP; set what you need. */
  public static Options options() {
    return new Options();
  }

  /** Connects to {@code target} ({@code host:port}) over plain TCP with the token in {@code ZBPP_TOKEN}. */
  public static ZbppClient connect(String target) {
    String env = System.getenv("ZBPP_TOKEN");
    return connect(target, options().token(env == null ? "" : env));
  }

  /** Connects to {@code target} ({@code host:port}). */
  public static ZbppClient connect(String target, Options o) {
    ChannelCredentials credentials;
    if (o.plaintext) {
      credentials = InsecureChannelCredentials.create();
    } else if (o.trust == null) {
      credentials = TlsChannelCredentials.create();
    } else {
      try {
        credentials = TlsChannelCredentials.newBuilder().trustManager(o.trust.toFile()).build();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the CA certificate " + o.trust + ": " + e.getMessage(), e);
      }
    }
    ManagedChannel ch = Grpc.newChannelBuilder(target, credentials).build();
    return new ZbppClient(ch, ch, o.token);
  }

  /** A client over a channel the caller owns (e.g. an in-process channel in tests); closing it keeps the channel. */
  public static ZbppClient over(Channel channel, String token) {
    return new ZbppClient(channel, null, token);
  }

  /** Queues a job; answers its id. */
  public String submit(JobSpec spec) {
    return call(() -> blocking.submit(SubmitRequest.newBuilder().setSpec(spec).build()).getId());
  }

  /** One job. */
  public Job get(String id) {
    return call(() -> blocking.get(GetRequest.newBuilder().setId(id).build()));
  }

  /** Every job, oldest first (all pages). */
  public List<Job> list() {
    return list(JobState.JOB_STATE_UNSPECIFIED);
  }

  /** Every job in {@code state} ({@code JOB_STATE_UNSPECIFIED}: all), oldest first (all pages). */
  public List<Job> list(JobState state) {
    List<Job> all = new ArrayList<>();
    String token = "";
    do {
      ListResponse page = listPage(state, 0, token);
      all.addAll(page.getJobsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return all;
  }

  /** One page of jobs ({@code pageSize} 0: the server's default; {@code pageToken} empty: the first page). */
  public ListResponse listPage(JobState state, int pageSize, String pageToken) {
    return call(() -> blocking.list(ListRequest.newBuilder().setState(state).setPageSize(pageSize)
        .setPageToken(pageToken).build()));
  }

  /** Cancels a queued or running job; answers the state it has afterwards. */
  public JobState cancel(String id) {
    return call(() -> blocking.cancel(CancelRequest.newBuilder().setId(id).build()).getState());
  }

  /** The result of a succeeded job. */
  public JobResult result(String id) {
    return call(() -> blocking.result(ResultRequest.newBuilder().setId(id).build()));
  }

  /** A job's events from its beginning, as they come; ends after the job's Finished event. Close it to stop early. */
  /**
   * Tries to connect again now rather than after gRPC's growing back-off (up to two minutes between tries): for a
   * caller that waits for a job API that went away to come back (a coordinator failover).
   */
  public void reconnectNow() {
    if (owned != null) {
      owned.resetConnectBackoff();
    }
  }

  public Events watch(String id) {
    Context.CancellableContext context = Context.current().withCancellation();
    try {
      Iterator<JobEvent> it = context.call(() -> blocking.watch(WatchRequest.newBuilder().setId(id).build()));
      return new Events(it, context);
    } catch (StatusRuntimeException e) {
      context.cancel(null);
      throw ZbppException.of(e);
    } catch (Exception e) {
      context.cancel(null);
      throw new IllegalStateException(e);
    }
  }

  /**
   * Calls {@code onEvent} for each of the job's events (on a gRPC thread, in order), then {@code onEnd} with
   * null when the stream ended or with the {@link ZbppException}. Close the answer to stop watching.
   */
  public AutoCloseable watch(String id, Consumer<JobEvent> onEvent, Consumer<ZbppException> onEnd) {
    Context.CancellableContext context = Context.current().withCancellation();
    context.run(() -> async.watch(WatchRequest.newBuilder().setId(id).build(), new StreamObserver<>() {
      @Override
      public void onNext(JobEvent e) {
        onEvent.accept(e);
      }

      @Override
      public void onError(Throwable t) {
        onEnd.accept(t instanceof StatusRuntimeException s ? ZbppException.of(s)
            : new ZbppException(io.grpc.Status.Code.UNKNOWN, t.toString(), t));
      }

      @Override
      public void onCompleted() {
        onEnd.accept(null);
      }
    }));
    return () -> context.cancel(null);
  }

  /** A job's events as a blocking iterator; failures surface as {@link ZbppException} from hasNext/next. */
  public static final class Events implements Iterator<JobEvent>, AutoCloseable {
    private final Iterator<JobEvent> stream;
    private final Context.CancellableContext context;

    private Events(Iterator<JobEvent> stream, Context.CancellableContext context) {
      this.stream = stream;
      this.context = context;
    }

    @Override
    public boolean hasNext() {
      try {
        return stream.hasNext();
      } catch (StatusRuntimeException e) {
        throw ZbppException.of(e);
      }
    }

    @Override
    public JobEvent next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return stream.next();
    }

    /** Stops watching (the job goes on). */
    @Override
    public void close() {
      context.cancel(null);
    }
  }

  private interface Call<T> {
    T run();
  }

  private static <T> T call(Call<T> c) {
    try {
      return c.run();
    } catch (StatusRuntimeException e) {
      throw ZbppException.of(e);
    }
  }

  /** The bearer token on every call, as {@code authorization: Bearer <token>}. */
  private static final class Bearer extends CallCredentials {
    private static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private final String token;

    Bearer(String token) {
      this.token = token;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
      Metadata m = new Metadata();
      if (!token.isEmpty()) {
        m.put(AUTHORIZATION, "Bearer " + token);
      }
      applier.apply(m);
    }
  }

  @Override
  public void close() {
    if (owned != null) {
      owned.shutdownNow();
      try {
        owned.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
