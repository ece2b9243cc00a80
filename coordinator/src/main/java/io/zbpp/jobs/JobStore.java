package io.zbpp.jobs;

import com.google.protobuf.InvalidProtocolBufferException;
import io.zbpp.protocol.jobs.Finished;
import io.zbpp.protocol.jobs.Iteration;
import io.zbpp.protocol.jobs.Job;
import io.zbpp.protocol.jobs.JobEvent;
import io.zbpp.protocol.jobs.JobResult;
import io.zbpp.protocol.jobs.JobSpec;
import io.zbpp.protocol.jobs.JobState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * The job API's durable records in an embedded H2 database ({@code jobs.mv.db} in the coordinator's data
 * directory): every job with its spec, its state transitions, the events Watch streams, per-iteration metrics
 * and the result. The schema is versioned by Flyway ({@code db/jobs/V*.sql}). Opening a store changes no job:
 * the jobs a previous coordinator left running or queued are the API's to resume. One process at a time opens it
 * (H2 locks the file; a coordinator killed with {@code kill -9} leaves no lock behind). One connection, every
 * method synchronized: the API's load is a few writes per iteration.
 */
public final class JobStore implements AutoCloseable {
  private final Connection db;
  private final Path dataDir;

  private JobStore(Connection db, Path dataDir) {
    this.db = db;
    this.dataDir = dataDir.toAbsolutePath();
  }

  /** Where job {@code id}'s checkpoints go unless its spec says otherwise: checkpoints/ID in the data directory. */
  public Path checkpointDir(String id) {
    return dataDir.resolve("checkpoints").resolve(id);
  }

  /**
   * Opens (creating or migrating) the store in {@code dataDir}. The jobs a previous coordinator left running or
   * queued keep their state: {@link JobApi} resumes and runs them.
   */
  public static JobStore open(Path dataDir) {
    // WRITE_DELAY=0: a commit reaches the file (the OS's cache) at once, so a coordinator killed with kill -9 loses
    // none of the events it recorded (H2's default delays writes by 500 ms: a failover lost the last iterations)
    String url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("jobs") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    Flyway.configure().dataSource(url, "zbpp", "").locations("classpath:db/jobs").load().migrate();
    try {
      Connection c = DriverManager.getConnection(url, "zbpp", "");
      return new JobStore(c, dataDir);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open the job database in " + dataDir + ": " + e.getMessage(), e);
    }
  }

  /** The submission number the next job gets (1 for an empty store). */
  public synchronized long nextSeq() {
    return sql(() -> {
      try (PreparedStatement s = db.prepareStatement("SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs");
          ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    });
  }

  /** Records a new queued job. */
  public synchronized void insert(long seq, Job job) {
    sql(() -> {
      try (PreparedStatement s = db.prepareStatement("INSERT INTO jobs (id, seq, name, owner, state, spec, "
          + "submitted_millis) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        s.setString(1, job.getId());
        s.setLong(2, seq);
        s.setString(3, job.getName());
        s.setString(4, job.getOwner());
        s.setString(5, job.getState().name());
        s.setBytes(6, job.getSpec().toByteArray());
        s.setLong(7, job.getSubmittedMillis());
        s.executeUpdate();
      }
      addTransition(job.getId(), job.getState(), "", job.getSubmittedMillis());
      return null;
    });
  }

  /** Moves a job to {@code state}; RUNNING sets its start time, a final state its end time. */
  public synchronized void transition(String id, JobState state, String reason, long atMillis) {
    sql(() -> {
      String column = state == JobState.RUNNING ? "started_millis" : "finished_millis";
      try (PreparedStatement s = db.prepareStatement("UPDATE jobs SET state = ?, reason = ?, " + column
          + " = ? WHERE id = ?")) {
        s.setString(1, state.name());
        s.setString(2, reason);
        s.setLong(3, atMillis);
        s.setString(4, id);
        s.executeUpdate();
      }
      addTransition(id, state, reason, atMillis);
      return null;
    });
  }

  private void addTransition(String id, JobState state, String reason, long atMillis) throws SQLException {
    try (PreparedStatement s = db.prepareStatement("INSERT INTO job_transitions (job_id, seq, state, at_millis, "
        + "reason) VALUES (?, (SELECT COUNT(*) FROM job_transitions WHERE job_id = ?), ?, ?, ?)")) {
      s.setString(1, id);
      s.setString(2, id);
      s.setString(3, state.name());
      s.setLong(4, atMillis);
      s.setString(5, reason);
      s.executeUpdate();
    }
  }

  /** The states a job went through, in order. */
  public synchronized List<JobState> transitions(String id) {
    return sql(() -> {
      List<JobState> out = new ArrayList<>();
      try (PreparedStatement s = db.prepareStatement(
          "SELECT state FROM job_transitions WHERE job_id = ? ORDER BY seq")) {
        s.setString(1, id);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            out.add(JobState.valueOf(r.getString(1)));
          }
        }
      }
      return out;
    });
  }

  /**
   * Appends an event Watch streams; an iteration event also records the iteration's metrics, and its passes
   * become the job's {@link #timeline} (the event is kept without them: see {@link #withoutPasses}).
   */
  public synchronized void appendEvent(JobEvent e) {
    sql(() -> {
      try (PreparedStatement s = db.prepareStatement(
          "INSERT INTO job_events (job_id, sequence, event) VALUES (?, ?, ?)")) {
        s.setString(1, e.getJobId());
        s.setLong(2, e.getSequence());
        s.setBytes(3, withoutPasses(e).toByteArray());
        s.executeUpdate();
      }
      if (e.hasIteration()) {
        Iteration it = e.getIteration();
        if (it.getPassesCount() > 0) {
          try (PreparedStatement s = db.prepareStatement("MERGE INTO job_timelines (job_id, iteration) KEY (job_id) "
              + "VALUES (?, ?)")) {
            s.setString(1, e.getJobId());
            s.setBytes(2, it.toByteArray());
            s.executeUpdate();
          }
        }
        // MERGE: a job resumed after a coordinator failover runs the iterations after its checkpoint again
        try (PreparedStatement s = db.prepareStatement("MERGE INTO job_iterations (job_id, iteration, loss, "
            + "millis, predicted_bubble_rate, realized_bubble_rate, rollbacks) KEY (job_id, iteration) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?)")) {
          s.setString(1, e.getJobId());
          s.setInt(2, it.getIteration());
          s.setDouble(3, it.getLoss());
          s.setDouble(4, it.getMillis());
          s.setDouble(5, it.getPredictedBubbleRate());
          s.setDouble(6, it.getRealizedBubbleRate());
          s.setInt(7, it.getRollbacks());
          s.executeUpdate();
        }
        try (PreparedStatement s = db.prepareStatement("UPDATE jobs SET iterations_done = ? WHERE id = ?")) {
          s.setInt(1, it.getIteration() + 1);
          s.setString(2, e.getJobId());
          s.executeUpdate();
        }
      }
      return null;
    });
  }

  /** {@code e} without the passes of its iteration, as the records keep it (the latest ones: {@link #timeline}). */
  public static JobEvent withoutPasses(JobEvent e) {
    return e.hasIteration() && e.getIteration().getPassesCount() > 0
        ? e.toBuilder().setIteration(e.getIteration().toBuilder().clearPasses()).build() : e;
  }

  /** The latest iteration of a job that reported its passes, with them. */
  public synchronized Optional<Iteration> timeline(String id) {
    return sql(() -> {
      try (PreparedStatement s = db.prepareStatement("SELECT iteration FROM job_timelines WHERE job_id = ?")) {
        s.setString(1, id);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? Optional.of(Iteration.parseFrom(r.getBytes(1))) : Optional.<Iteration>empty();
        }
      }
    });
  }

  /** A job's events, in order. */
  public synchronized List<JobEvent> events(String id) {
    return sql(() -> {
      List<JobEvent> out = new ArrayList<>();
      try (PreparedStatement s = db.prepareStatement(
          "SELECT event FROM job_events WHERE job_id = ? ORDER BY sequence")) {
        s.setString(1, id);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            out.add(JobEvent.parseFrom(r.getBytes(1)));
          }
        }
      }
      return out;
    });
  }

  /** The per-iteration losses recorded for a job, in iteration order. */
  public synchronized List<Double> losses(String id) {
    return sql(() -> {
      List<Double> out = new ArrayList<>();
      try (PreparedStatement s = db.prepareStatement(
          "SELECT loss FROM job_iterations WHERE job_id = ? ORDER BY iteration")) {
        s.setString(1, id);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            out.add(r.getDouble(1));
          }
        }
      }
      return out;
    });
  }

  /**
   * The losses and wall times (milliseconds) recorded for iterations 0 to {@code n − 1} of a job, by iteration: NaN
   * for an iteration not recorded.
   */
  public synchronized List<List<Double>> firstIterations(String id, int n) {
    return sql(() -> {
      Double[] losses = new Double[n];
      Double[] millis = new Double[n];
      java.util.Arrays.fill(losses, Double.NaN);
      java.util.Arrays.fill(millis, Double.NaN);
      try (PreparedStatement s = db.prepareStatement(
          "SELECT iteration, loss, millis FROM job_iterations WHERE job_id = ? AND iteration < ?")) {
        s.setString(1, id);
        s.setInt(2, n);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            losses[r.getInt(1)] = r.getDouble(2);
            millis[r.getInt(1)] = r.getDouble(3);
          }
        }
      }
      return List.of(List.of(losses), List.of(millis));
    });
  }

  /** Records a succeeded job's result. */
  public synchronized void putResult(JobResult result) {
    sql(() -> {
      try (PreparedStatement s = db.prepareStatement(
          "INSERT INTO job_results (job_id, params_sha256, result) VALUES (?, ?, ?)")) {
        s.setString(1, result.getId());
        s.setString(2, result.getParamsSha256());
        s.setBytes(3, result.toByteArray());
        s.executeUpdate();
      }
      return null;
    });
  }

  /** A job's result, if it succeeded. */
  public synchronized Optional<JobResult> result(String id) {
    return sql(() -> {
      try (PreparedStatement s = db.prepareStatement("SELECT result FROM job_results WHERE job_id = ?")) {
        s.setString(1, id);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? Optional.of(JobResult.parseFrom(r.getBytes(1))) : Optional.<JobResult>empty();
        }
      }
    });
  }

  /** One job. */
  public synchronized Optional<Job> get(String id) {
    return sql(() -> {
      try (PreparedStatement s = db.prepareStatement(SELECT + " WHERE id = ?")) {
        s.setString(1, id);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? Optional.of(job(r)) : Optional.<Job>empty();
        }
      }
    });
  }

  /**
   * Jobs submitted after submission number {@code afterSeq}, oldest first, at most {@code limit}; of one state,
   * or all for {@link JobState#JOB_STATE_UNSPECIFIED}.
   */
  public synchronized List<Job> list(JobState state, long afterSeq, int limit) {
    return sql(() -> {
      boolean all = state == JobState.JOB_STATE_UNSPECIFIED;
      try (PreparedStatement s = db.prepareStatement(SELECT + " WHERE seq > ?" + (all ? "" : " AND state = ?")
          + " ORDER BY seq LIMIT ?")) {
        s.setLong(1, afterSeq);
        int i = 2;
        if (!all) {
          s.setString(i++, state.name());
        }
        s.setInt(i, limit);
        List<Job> out = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            out.add(job(r));
          }
        }
        return out;
      }
    });
  }

  /** The submission number of a job, or -1. */
  public synchronized long seqOf(String id) {
    return sql(() -> {
      try (PreparedStatement s = db.prepareStatement("SELECT seq FROM jobs WHERE id = ?")) {
        s.setString(1, id);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? r.getLong(1) : -1L;
        }
      }
    });
  }

  private static final String SELECT = "SELECT id, name, owner, state, spec, submitted_millis, started_millis, "
      + "finished_millis, iterations_done, reason FROM jobs";

  private static Job job(ResultSet r) throws SQLException, InvalidProtocolBufferException {
    return Job.newBuilder().setId(r.getString(1)).setName(r.getString(2)).setOwner(r.getString(3))
        .setState(JobState.valueOf(r.getString(4))).setSpec(JobSpec.parseFrom(r.getBytes(5)))
        .setSubmittedMillis(r.getLong(6)).setStartedMillis(r.getLong(7)).setFinishedMillis(r.getLong(8))
        .setIterationsDone(r.getInt(9)).setReason(r.getString(10)).build();
  }

  private interface Sql<T> {
    T run() throws SQLException, InvalidProtocolBufferException;
  }

  private static <T> T sql(Sql<T> body) {
    try {
      return body.run();
    } catch (SQLException | InvalidProtocolBufferException e) {
      throw new IllegalStateException("job database: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      throw new IllegalStateException("job database: " + e.getMessage(), e);
    }
  }
}
