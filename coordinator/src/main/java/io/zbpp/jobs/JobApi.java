package io.zbpp.jobs;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.zbpp.protocol.jobs.CancelRequest;
import io.zbpp.protocol.jobs.CancelResponse;
import io.zbpp.protocol.jobs.CheckpointWritten;
import io.zbpp.protocol.jobs.Finished;
import io.zbpp.protocol.jobs.GetRequest;
import io.zbpp.protocol.jobs.Iteration;
import io.zbpp.protocol.jobs.Job;
import io.zbpp.protocol.jobs.JobEvent;
import io.zbpp.protocol.jobs.JobResult;
import io.zbpp.protocol.jobs.JobServiceGrpc;
import io.zbpp.protocol.jobs.JobSpec;
import io.zbpp.protocol.jobs.JobState;
import io.zbpp.protocol.jobs.ListRequest;
import io.zbpp.protocol.jobs.ListResponse;
import io.zbpp.protocol.jobs.Planned;
import io.zbpp.protocol.jobs.Queued;
import io.zbpp.protocol.jobs.Recovered;
import io.zbpp.protocol.jobs.ResultRequest;
import io.zbpp.protocol.jobs.SubmitRequest;
import io.zbpp.protocol.jobs.SubmitResponse;
import io.zbpp.protocol.jobs.WatchRequest;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job service (jobs.proto): queues jobs first in, first out, starts the head of the queue when the
 * {@link JobRunner} has enough free worker devices (several jobs at once when they fit), records everything in
 * the {@link JobStore}, and streams each job's events to any number of watchers, in order. Callers come from
 * {@link BearerAuth}. Watchers that go away change nothing for the job.
 */
public final class JobApi extends JobServiceGrpc.JobServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(JobApi.class);
  /** List's page size when the request gives none, and the most it returns. */
  static final int DEFAULT_PAGE = 100;
  static final int MAX_PAGE = 1000;
  /** The longest job name (JobSpec.name) the records keep. */
  static final int MAX_NAME = 1000;
  /** How often a submitted job takes a checkpoint unless its spec says (checkpointEvery). */
  static final int CHECKPOINT_EVERY = 10;

  private final JobStore store;
  private final JobRunner runner;
  private final Clock clock;
  private final Supplier<Tokens.Caller> caller;
  private final Deque<String> queue = new ArrayDeque<>();
  private final Map<String, Live> live = new HashMap<>();
  private final List<Consumer<JobEvent>> listeners = new CopyOnWriteArrayList<>();
  /** The devices the running jobs hold; the runner's {@link JobRunner#devices} less these are free. */
  private int reservedDevices;

  /** A job this coordinator queued or runs: its spec, its devices, its run, its event log and its watchers. */
  private final class Live {
    final String id;
    final JobSpec spec;
    final int devices;
    final List<JobEvent> events = new ArrayList<>();
    final List<StreamObserver<JobEvent>> watchers = new ArrayList<>();
    JobRunner.Run run;
    boolean ended;

    Live(String id, JobSpec spec, int devices) {
      this.id = id;
      this.spec = spec;
      this.devices = devices;
    }
  }

  public JobApi(JobStore store, JobRunner runner, Clock clock) {
    this(store, runner, clock, BearerAuth.CALLER::get);
  }

  JobApi(JobStore store, JobRunner runner, Clock clock, Supplier<Tokens.Caller> caller) {
    this.store = store;
    this.runner = runner;
    this.clock = clock;
    this.caller = caller;
    resume();
    runner.onDevicesChanged(this::devicesChanged);
  }

  /** Jobs waiting in the queue now. */
  public synchronized int queued() {
    return queue.size();
  }

  /**
   * Calls {@code listener} with every event of every job as it is recorded, passes included, until the returned
   * handle is run. It is called under the API's lock, in order: it must return at once (hand the event on).
   */
  public Runnable onEvent(Consumer<JobEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Queues again the jobs a previous coordinator left (docs/faults.md "Coordinator failover"): first the running
   * ones, each to resume from its latest complete checkpoint (or from the start without one: the same result, bit
   * for bit, only later), with a {@code recovered} event; then the queued ones, in their order. Their events go on
   * from where they were. A spec that no longer passes the checks fails.
   */
  private synchronized void resume() {
    List<Job> interrupted = store.list(JobState.RUNNING, 0, Integer.MAX_VALUE);
    List<Job> waiting = store.list(JobState.QUEUED, 0, Integer.MAX_VALUE);
    for (Job j : interrupted) {
      Resumption r = Resumption.of(j.getSpec(), j.getIterationsDone(), line -> LOG.warn("job {}: {}", j.getId(),
          line));
      Live job = requeue(j, r.spec());
      if (job != null) {
        store.transition(job.id, JobState.QUEUED, r.why(), clock.millis());
        append(job, JobEvent.newBuilder().setRecovered(Recovered.newBuilder().setFromIteration(r.fromIteration())
            .setFault("the coordinator stopped while the job was running")));
        LOG.info("job {} was running when the coordinator stopped: {}", job.id, r.why());
      }
    }
    for (Job j : waiting) {
      if (requeue(j, j.getSpec()) != null) {
        LOG.info("job {} queued again after a restart", j.getId());
      }
    }
    startWhatFits();
  }

  /** Queues a recorded job to run {@code spec}; null when the spec no longer passes (the job failed). */
  private Live requeue(Job j, JobSpec spec) {
    String invalid = null;
    int devices = 0;
    try {
      devices = runner.devicesFor(spec);
    } catch (JobRunner.SpecException e) {
      invalid = e.getMessage();
    }
    Live job = new Live(j.getId(), spec, devices);
    job.events.addAll(store.events(j.getId()));
    if (invalid != null) {
      end(job, JobState.FAILED, invalid);
      return null;
    }
    live.put(job.id, job);
    queue.addLast(job.id);
    return job;
  }

  /** Workers joined or left: start what fits now. */
  private synchronized void devicesChanged() {
    startWhatFits();
  }

  @Override
  public void submit(SubmitRequest request, StreamObserver<SubmitResponse> out) {
    Tokens.Caller who = caller.get();
    JobSpec spec = request.getSpec();
    if (spec.getName().length() > MAX_NAME) {
      out.onError(Status.INVALID_ARGUMENT.withDescription("name [" + spec.getName().substring(0, 20) + "…]: "
          + spec.getName().length() + " characters; at most " + MAX_NAME).asRuntimeException());
      return;
    }
    int devices;
    try {
      // checked as it will run: with the checkpoint directory the API gives it (any job id stands for its own)
      devices = runner.devicesFor(withCheckpointDefaults(spec, "job-000000"));
    } catch (JobRunner.SpecException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    if (devices > runner.devices()) {
      out.onError(Status.FAILED_PRECONDITION.withDescription("stages [" + spec.getStages() + "]: the job needs "
          + devices + " worker devices at once, the cluster has " + runner.devices() + "; add workers or use "
          + "fewer stages").asRuntimeException());
      return;
    }
    String id;
    synchronized (this) {
      long seq = store.nextSeq();
      id = String.format("job-%06d", seq);
      spec = withCheckpointDefaults(spec, id);
      long now = clock.millis();
      store.insert(seq, Job.newBuilder().setId(id).setName(spec.getName()).setOwner(who.name())
          .setState(JobState.QUEUED).setSpec(spec).setSubmittedMillis(now).build());
      Live job = new Live(id, spec, devices);
      live.put(id, job);
      queue.addLast(id);
      append(job, JobEvent.newBuilder().setQueued(Queued.newBuilder().setPosition(queue.size() - 1)));
      LOG.info("job {} submitted by {}: {} on {} stages", id, who.name(), spec.getSchedule(), spec.getStages());
      startWhatFits();
    }
    out.onNext(SubmitResponse.newBuilder().setId(id).build());
    out.onCompleted();
  }

  @Override
  public void get(GetRequest request, StreamObserver<Job> out) {
    store.get(request.getId()).ifPresentOrElse(j -> {
      out.onNext(j);
      out.onCompleted();
    }, () -> out.onError(notFound(request.getId())));
  }

  @Override
  public void list(ListRequest request, StreamObserver<ListResponse> out) {
    long after = 0;
    if (!request.getPageToken().isEmpty()) {
      try {
        after = Long.parseLong(request.getPageToken());
      } catch (NumberFormatException e) {
        out.onError(Status.INVALID_ARGUMENT.withDescription("pageToken [" + request.getPageToken()
            + "]: not a token from a previous List; expected nextPageToken of the last page").asRuntimeException());
        return;
      }
    }
    if (request.getPageSize() < 0) {
      out.onError(Status.INVALID_ARGUMENT.withDescription("pageSize [" + request.getPageSize()
          + "]: must be at least 0 (0: " + DEFAULT_PAGE + ")").asRuntimeException());
      return;
    }
    int size = request.getPageSize() == 0 ? DEFAULT_PAGE : Math.min(request.getPageSize(), MAX_PAGE);
    List<Job> page = store.list(request.getState(), after, size + 1);
    ListResponse.Builder r = ListResponse.newBuilder().addAllJobs(page.subList(0, Math.min(size, page.size())));
    if (page.size() > size) {
      r.setNextPageToken(Long.toString(store.seqOf(page.get(size - 1).getId())));
    }
    out.onNext(r.build());
    out.onCompleted();
  }

  @Override
  public void watch(WatchRequest request, StreamObserver<JobEvent> out) {
    String id = request.getId();
    synchronized (this) {
      Live job = live.get(id);
      if (job != null) {
        job.events.forEach(out::onNext);
        if (job.ended) {
          out.onCompleted();
          return;
        }
        job.watchers.add(out);
        if (out instanceof ServerCallStreamObserver<JobEvent> call) {
          call.setOnCancelHandler(() -> {
            synchronized (JobApi.this) {
              job.watchers.remove(out);
            }
          });
        }
        return;
      }
    }
    if (store.get(id).isEmpty()) {
      out.onError(notFound(id));
      return;
    }
    store.events(id).forEach(out::onNext);
    out.onCompleted();
  }

  @Override
  public void cancel(CancelRequest request, StreamObserver<CancelResponse> out) {
    Tokens.Caller who = caller.get();
    String id = request.getId();
    Job job = store.get(id).orElse(null);
    if (job == null) {
      out.onError(notFound(id));
      return;
    }
    if (!who.admin() && !who.name().equals(job.getOwner())) {
      out.onError(Status.PERMISSION_DENIED.withDescription("job " + id + " belongs to " + job.getOwner()
          + "; only its owner or an admin token may cancel it").asRuntimeException());
      return;
    }
    JobState state;
    synchronized (this) {
      Live l = live.get(id);
      if (l != null && !l.ended) {
        queue.remove(id);
        if (l.run != null) {
          l.run.cancel();
          reservedDevices -= l.devices;
        }
        end(l, JobState.CANCELLED, "cancelled by " + who.name());
        startWhatFits();
        state = JobState.CANCELLED;
      } else {
        state = store.get(id).map(Job::getState).orElse(job.getState());
      }
    }
    out.onNext(CancelResponse.newBuilder().setState(state).build());
    out.onCompleted();
  }

  @Override
  public void result(ResultRequest request, StreamObserver<JobResult> out) {
    String id = request.getId();
    Job job = store.get(id).orElse(null);
    if (job == null) {
      out.onError(notFound(id));
      return;
    }
    store.result(id).ifPresentOrElse(r -> {
      out.onNext(r);
      out.onCompleted();
    }, () -> out.onError(Status.FAILED_PRECONDITION.withDescription("job " + id + " is " + job.getState()
        + (job.getReason().isEmpty() ? "" : " (" + job.getReason() + ")")
        + "; a result exists once it has SUCCEEDED").asRuntimeException()));
  }

  /**
   * A submitted job takes a checkpoint every {@link #CHECKPOINT_EVERY} iterations into checkpoints/ID of the data
   * directory unless its spec says otherwise (docs/faults.md); not on the emulated backend, which has no
   * parameters.
   */
  private JobSpec withCheckpointDefaults(JobSpec spec, String id) {
    JobSpec.Builder b = spec.toBuilder();
    if (!b.hasCheckpointEvery() && !b.getBackend().equals("emulated")) {
      b.setCheckpointEvery(CHECKPOINT_EVERY);
    }
    if (b.getCheckpointEvery() > 0 && b.getCheckpointDir().isEmpty() && b.getResumeFrom().isEmpty()) {
      b.setCheckpointDir(store.checkpointDir(id).toString());
    }
    return b.build();
  }

  /** Starts queued jobs from the head while their devices are free; the head waits for devices (FIFO). */
  private void startWhatFits() {
    while (!queue.isEmpty()) {
      Live job = live.get(queue.peekFirst());
      if (job.devices > runner.devices() - reservedDevices) {
        return;
      }
      queue.removeFirst();
      reservedDevices += job.devices;
      store.transition(job.id, JobState.RUNNING, "", clock.millis());
      LOG.info("job {} running on {} devices, {} free", job.id, job.devices, runner.devices() - reservedDevices);
      job.run = runner.start(job.id, job.spec, events(job));
    }
  }

  private JobRunner.Events events(Live job) {
    return new JobRunner.Events() {
      @Override
      public void planned(Planned p) {
        appendUnlessEnded(job, JobEvent.newBuilder().setPlanned(p));
      }

      @Override
      public void iteration(Iteration it) {
        appendUnlessEnded(job, JobEvent.newBuilder().setIteration(it));
      }

      @Override
      public void checkpointWritten(CheckpointWritten c) {
        appendUnlessEnded(job, JobEvent.newBuilder().setCheckpointWritten(c));
      }

      @Override
      public void recovered(Recovered r) {
        appendUnlessEnded(job, JobEvent.newBuilder().setRecovered(r));
      }

      @Override
      public void succeeded(JobResult result) {
        synchronized (JobApi.this) {
          if (!job.ended) {
            store.putResult(whole(job, result).toBuilder().setId(job.id).setState(JobState.SUCCEEDED).build());
            finish(job, JobState.SUCCEEDED, "");
          }
        }
      }

      @Override
      public void failed(String reason) {
        synchronized (JobApi.this) {
          if (!job.ended) {
            finish(job, JobState.FAILED, reason);
          }
        }
      }
    };
  }

  /**
   * The result of every iteration: a job resumed from a checkpoint ran only the iterations after it, so the losses
   * and times of the ones before come from the records (the report in {@code reportJson} is the resumed run's).
   */
  private JobResult whole(Live job, JobResult result) {
    int before = job.spec.getIterations() - result.getLossesCount();
    if (before <= 0) {
      return result;
    }
    List<List<Double>> recorded = store.firstIterations(job.id, before);
    List<Double> losses = new ArrayList<>(recorded.get(0));
    List<Double> millis = new ArrayList<>(recorded.get(1));
    losses.addAll(result.getLossesList());
    millis.addAll(result.getIterationMillisList());
    return result.toBuilder().clearLosses().addAllLosses(losses).clearIterationMillis().addAllIterationMillis(millis)
        .build();
  }

  /**
   * This coordinator hands the job API over to another (the node leaves): every running job's stages are stopped
   * but its record stays RUNNING, so that the next coordinator resumes it from its latest checkpoint; queued jobs
   * stay queued; watchers are told to watch again. Nothing runs after this.
   */
  public synchronized void handOver() {
    for (Live job : live.values()) {
      if (job.run != null) {
        job.run.cancel();
      }
      job.ended = true;
      for (StreamObserver<JobEvent> w : job.watchers) {
        try {
          w.onError(Status.UNAVAILABLE.withDescription("the coordinator handed the job API over to another; "
              + "watch the job again there").asRuntimeException());
        } catch (RuntimeException gone) {
          // the watcher went away; nothing to tell it
        }
      }
    }
    LOG.info("job API handed over: {} running, {} queued jobs go on on the next coordinator",
        live.values().stream().filter(j -> j.run != null).count(), queue.size());
    live.clear();
    queue.clear();
    reservedDevices = 0;
  }

  /** A running job's event, dropped once the job ended (cancelled). */
  private synchronized void appendUnlessEnded(Live job, JobEvent.Builder e) {
    if (!job.ended) {
      append(job, e);
    }
  }

  /** A running job ended on its own: frees its devices and starts what fits. */
  private void finish(Live job, JobState state, String reason) {
    reservedDevices -= job.devices;
    end(job, state, reason);
    startWhatFits();
  }

  private void end(Live job, JobState state, String reason) {
    store.transition(job.id, state, reason, clock.millis());
    job.ended = true;
    append(job, JobEvent.newBuilder().setFinished(Finished.newBuilder().setState(state).setReason(reason)));
    for (StreamObserver<JobEvent> w : job.watchers) {
      try {
        w.onCompleted();
      } catch (StatusRuntimeException gone) {
        // the watcher went away; nothing to tell it
      }
    }
    job.watchers.clear();
    live.remove(job.id);
    LOG.info("job {} {}{}", job.id, state, reason.isEmpty() ? "" : ": " + reason);
  }

  /**
   * Numbers, records and sends an event to the job's watchers and listeners; a watcher that went away is dropped.
   * Replays get it as the records keep it (an iteration without its passes).
   */
  private void append(Live job, JobEvent.Builder e) {
    JobEvent event = e.setJobId(job.id).setSequence(job.events.size()).setTimeMillis(clock.millis()).build();
    store.appendEvent(event);
    job.events.add(JobStore.withoutPasses(event));
    listeners.forEach(l -> l.accept(event));
    job.watchers.removeIf(w -> {
      try {
        w.onNext(event);
        return false;
      } catch (StatusRuntimeException gone) {
        return true;
      }
    });
  }

  private static StatusRuntimeException notFound(String id) {
    return Status.NOT_FOUND.withDescription("no job with id [" + id + "] (zbpp jobs lists them)")
        .asRuntimeException();
  }
}
