package io.zbpp.jobs;

import io.zbpp.protocol.jobs.CheckpointWritten;
import io.zbpp.protocol.jobs.Iteration;
import io.zbpp.protocol.jobs.JobResult;
import io.zbpp.protocol.jobs.JobSpec;
import io.zbpp.protocol.jobs.Planned;

/**
 * What the job API runs jobs on: the coordinator actor and its workers. The API queues jobs and keeps their
 * records; a runner checks specs, knows how many worker devices there are, and trains. The launcher plugs in
 * the in-JVM runtime ({@code LocalTraining}) or the cluster; tests plug in their own.
 */
public interface JobRunner {
  /**
   * Checks {@code spec} with the same checks as {@code zbpp train} and answers how many worker devices it needs
   * at once.
   *
   * @throws SpecException naming the field path and what is accepted
   */
  int devicesFor(JobSpec spec);

  /**
   * The worker devices there are in all now; a job that needs more cannot run. On a cluster this changes as
   * workers join and leave ({@link #onDevicesChanged}).
   */
  int devices();

  /**
   * Registers {@code changed}, called (from any thread) whenever {@link #devices} may have changed, so that
   * queued jobs start when workers join. A runner with a fixed number of devices never calls it.
   */
  default void onDevicesChanged(Runnable changed) {}

  /**
   * Starts a job that {@link #devicesFor} accepted, on devices the API reserved for it; returns at once. The
   * runner calls {@code events} from any thread, in order: {@code planned}, an {@code iteration} per iteration
   * and a {@code checkpointWritten} per checkpoint written (in their own order; a checkpoint may come after later
   * iterations), a {@code recovered} per recovery from a fault, then exactly one of {@code succeeded} or {@code
   * failed}.
   */
  Run start(String id, JobSpec spec, Events events);

  /** A started job. */
  interface Run {
    /**
     * Stops the job and frees its devices; returns at once (the API holds its lock while calling it). No event
     * after this call matters.
     */
    void cancel();
  }

  /** What a running job reports. */
  interface Events {
    void planned(Planned p);

    void iteration(Iteration it);

    void checkpointWritten(CheckpointWritten c);

    /** A recovery from a fault (a lost stage or worker) starts its replay. */
    default void recovered(io.zbpp.protocol.jobs.Recovered r) {}

    /** The job ran every iteration; {@code result} without id and state (the API fills them in). */
    void succeeded(JobResult result);

    void failed(String reason);
  }

  /** A spec the runner cannot run: {@code field} is the spec's field path, the message says what is accepted. */
  final class SpecException extends RuntimeException {
    private final String field;

    public SpecException(String field, String message) {
      super(message);
      this.field = field;
    }

    /** The spec's field path in lowerCamelCase (as spec files name it), or empty when the spec as a whole. */
    public String field() {
      return field;
    }
  }
}
