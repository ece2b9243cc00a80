package io.zbpp.jobs;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.zbpp.protocol.jobs.CancelRequest;
import io.zbpp.protocol.jobs.CancelResponse;
import io.zbpp.protocol.jobs.GetRequest;
import io.zbpp.protocol.jobs.Job;
import io.zbpp.protocol.jobs.JobEvent;
import io.zbpp.protocol.jobs.JobResult;
import io.zbpp.protocol.jobs.JobServiceGrpc;
import io.zbpp.protocol.jobs.ListRequest;
import io.zbpp.protocol.jobs.ListResponse;
import io.zbpp.protocol.jobs.ResultRequest;
import io.zbpp.protocol.jobs.SubmitRequest;
import io.zbpp.protocol.jobs.SubmitResponse;
import io.zbpp.protocol.jobs.WatchRequest;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The job service of a coordinator that may be on standby (docs/faults.md "Coordinator failover"): every
 * coordinator listens on its API port, but only the active one, which holds the job records, has a {@link JobApi};
 * a standby answers every call UNAVAILABLE with one line naming where the active coordinator is, and a client tries
 * again there (or, behind a Kubernetes Service, later).
 */
public final class ActiveJobService extends JobServiceGrpc.JobServiceImplBase {
  private final AtomicReference<JobApi> active = new AtomicReference<>();
  private final Supplier<String> activeIsAt;

  /** @param activeIsAt where the active coordinator is, for a standby's answers (e.g. its cluster address) */
  public ActiveJobService(Supplier<String> activeIsAt) {
    this.activeIsAt = activeIsAt;
  }

  /** This coordinator became the active one: calls go to {@code api}. */
  public void activate(JobApi api) {
    active.set(api);
  }

  /** This coordinator is on standby again; answers the API it served until now, if any. */
  public Optional<JobApi> standBy() {
    return Optional.ofNullable(active.getAndSet(null));
  }

  /** The API while this coordinator is the active one. */
  public Optional<JobApi> api() {
    return Optional.ofNullable(active.get());
  }

  /** A call of the API: the active one's answer, or UNAVAILABLE naming where the active coordinator is. */
  private interface Call<Q, R> {
    void on(JobApi api, Q request, StreamObserver<R> out);
  }

  private <Q, R> void forward(Q request, StreamObserver<R> out, Call<Q, R> call) {
    JobApi api = active.get();
    if (api == null) {
      out.onError(Status.UNAVAILABLE.withDescription("this coordinator is on standby; the job API is served by the "
          + "active coordinator (" + activeIsAt.get() + "): try again there, or here once it takes over")
          .asRuntimeException());
    } else {
      call.on(api, request, out);
    }
  }

  @Override
  public void submit(SubmitRequest request, StreamObserver<SubmitResponse> out) {
    forward(request, out, JobApi::submit);
  }

  @Override
  public void get(GetRequest request, StreamObserver<Job> out) {
    forward(request, out, JobApi::get);
  }

  @Override
  public void list(ListRequest request, StreamObserver<ListResponse> out) {
    forward(request, out, JobApi::list);
  }

  @Override
  public void watch(WatchRequest request, StreamObserver<JobEvent> out) {
    forward(request, out, JobApi::watch);
  }

  @Override
  public void cancel(CancelRequest request, StreamObserver<CancelResponse> out) {
    forward(request, out, JobApi::cancel);
  }

  @Override
  public void result(ResultRequest request, StreamObserver<JobResult> out) {
    forward(request, out, JobApi::result);
  }
}
