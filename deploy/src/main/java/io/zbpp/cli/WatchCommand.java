package io.zbpp.cli;

import io.zbpp.client.ZbppClient;
import io.zbpp.protocol.jobs.CheckpointWritten;
import io.zbpp.protocol.jobs.Iteration;
import io.zbpp.protocol.jobs.JobEvent;
import io.zbpp.protocol.jobs.JobState;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code zbpp watch ID}: a job's events to its end, as lines and a progress bar or as JSON lines. */
@Command(name = "watch", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = {"Follow a job of the job API to its end: a line per event and, on a terminal, a progress bar "
        + "with loss and bubble rate.", "Exit code 0: the job succeeded; 1: it failed or was cancelled."})
final class WatchCommand extends OneJobCommand {
  @Option(names = "--json", description = "Print each event as one JSON line (jobs.proto JobEvent).")
  boolean json;

  /** How long a watch waits for the job API to come back after it went away mid-job. */
  static final int RECONNECT_SECONDS = 180;

  @Override
  int run(ZbppClient c) {
    return follow(c, id, json, out(), spec.commandLine().getErr());
  }

  /**
   * Prints the job's events until it ends; 0 when it succeeded. When the job API goes away mid-job (its
   * coordinator died or handed over: docs/faults.md "Coordinator failover"), says so on {@code err} and watches
   * again at the same address for up to {@link #RECONNECT_SECONDS} (behind a Kubernetes Service that is the next
   * active coordinator), printing only the events it has not printed yet.
   */
  static int follow(ZbppClient c, String id, boolean json, PrintWriter out, PrintWriter err) {
    return follow(c, id, json, out, err, java.time.Duration.ofSeconds(RECONNECT_SECONDS),
        java.time.Duration.ofSeconds(1));
  }

  static int follow(ZbppClient c, String id, boolean json, PrintWriter out, PrintWriter err,
      java.time.Duration reconnect, java.time.Duration pause) {
    JobState end = JobState.JOB_STATE_UNSPECIFIED;
    Progress[] bar = {null};
    long next = 0; // the sequence of the next event to print
    long deadline = -1; // while the job API is away: until when to try again
    try {
      while (true) {
        try (ZbppClient.Events events = c.watch(id)) {
          while (events.hasNext()) {
            JobEvent e = events.next();
            deadline = -1;
            if (e.getSequence() < next) {
              continue; // printed before the job API went away
            }
            next = e.getSequence() + 1;
            if (json) {
              out.println(json(e));
              out.flush();
            } else {
              bar[0] = text(e, bar[0], out, err);
            }
            if (e.hasFinished()) {
              end = e.getFinished().getState();
            }
          }
          return end == JobState.SUCCEEDED ? 0 : 1;
        } catch (io.zbpp.client.ZbppException.Unavailable gone) {
          if (next == 0 || end != JobState.JOB_STATE_UNSPECIFIED || reconnect.isZero()) {
            throw gone; // never reached, or nothing more to wait for
          }
          long now = System.nanoTime();
          if (deadline < 0) {
            deadline = now + reconnect.toNanos();
            err.println("zbpp watch: the job API went away (" + gone.getMessage().lines().findFirst().orElse("")
                .strip() + "); watching " + id + " again for up to " + reconnect.toSeconds() + " s");
            err.flush();
          } else if (now > deadline) {
            throw gone;
          }
          try {
            Thread.sleep(pause.toMillis());
            c.reconnectNow();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw gone;
          }
        }
      }
    } finally {
      if (bar[0] != null) {
        bar[0].finish();
      }
    }
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
      case CHECKPOINT_WRITTEN -> {
        CheckpointWritten c = e.getCheckpointWritten();
        String line = String.format(Locale.ROOT, "%s checkpoint %s written: %d iterations, %d bytes, in %s",
            e.getJobId(), c.getName(), c.getIteration(), c.getBytes(), c.getLocation());
        if (bar == null) {
          out.println(line);
        } else {
          bar.line(line);
        }
      }
      case RECOVERED -> {
        String line = String.format(Locale.ROOT, "%s recovered: goes on from iteration %d after: %s",
            e.getJobId(), e.getRecovered().getFromIteration(), e.getRecovered().getFault());
        if (bar == null) {
          out.println(line);
        } else {
          bar.line(line);
        }
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
