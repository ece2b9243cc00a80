package io.zbpp.dashboard;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import io.zbpp.jobs.JobStore;
import io.zbpp.protocol.jobs.Iteration;
import io.zbpp.protocol.jobs.Job;
import io.zbpp.protocol.jobs.JobEvent;
import io.zbpp.protocol.jobs.JobSpec;
import io.zbpp.protocol.jobs.JobState;
import io.zbpp.protocol.jobs.Pass;
import io.zbpp.protocol.jobs.Planned;
import io.zbpp.runtime.TimelineSvg;
import io.zbpp.runtime.TrainReport.TimelineBar;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the dashboard shows, as JSON, read from the job API's records ({@link JobStore}): the job list, and per
 * job its spec, its iterations (loss, time, predicted and realized bubble), its plan and placement, its other
 * events (queued, checkpoints, recoveries, re-plans, the end: any event kind, shown by its fields) and the
 * latest iteration's timeline as it ran (the CLI's SVG) with each stage's busy and bubble fraction.
 */
final class DashboardData {
  /** The most jobs the list shows (the latest ones). */
  static final int MAX_JOBS = 1000;

  private final JobStore store;

  DashboardData(JobStore store) {
    this.store = store;
  }

  /** {@code {"jobs": [...]}}, newest first. */
  JsonObject jobs() {
    List<Job> all = store.list(JobState.JOB_STATE_UNSPECIFIED, Math.max(0, store.nextSeq() - 1 - MAX_JOBS), MAX_JOBS);
    JsonArray jobs = new JsonArray();
    for (int i = all.size() - 1; i >= 0; i--) {
      jobs.add(summary(all.get(i)));
    }
    JsonObject o = new JsonObject();
    o.add("jobs", jobs);
    return o;
  }

  /** One job's page, or empty when there is no such job. */
  Optional<JsonObject> job(String id) {
    return store.get(id).map(j -> {
      JsonObject o = new JsonObject();
      o.add("job", summary(j));
      JsonArray iterations = new JsonArray();
      JsonArray events = new JsonArray();
      for (JobEvent e : store.events(id)) {
        if (e.hasIteration()) {
          iterations.add(iteration(e.getIteration()));
        } else {
          events.add(event(e));
        }
        if (e.hasPlanned()) {
          o.add("plan", plan(e.getPlanned()));
        }
      }
      o.add("iterations", iterations);
      o.add("events", events);
      store.timeline(id).ifPresent(it -> o.add("timeline", timeline(j, it)));
      return o;
    });
  }

  private static JsonObject summary(Job j) {
    JobSpec s = j.getSpec();
    JsonObject o = new JsonObject();
    o.addProperty("id", j.getId());
    o.addProperty("name", j.getName());
    o.addProperty("owner", j.getOwner());
    o.addProperty("state", j.getState().name());
    o.addProperty("schedule", s.getSchedule());
    o.addProperty("stages", s.getStages());
    o.addProperty("microbatches", s.getMicrobatches());
    o.addProperty("model", s.getModel().isEmpty() ? "small" : s.getModel());
    o.addProperty("backend", s.getBackend().isEmpty() ? "cpu" : s.getBackend());
    o.addProperty("iterations", s.getIterations());
    o.addProperty("iterationsDone", j.getIterationsDone());
    o.addProperty("submittedMillis", j.getSubmittedMillis());
    o.addProperty("startedMillis", j.getStartedMillis());
    o.addProperty("finishedMillis", j.getFinishedMillis());
    o.addProperty("reason", j.getReason());
    return o;
  }

  private static JsonObject iteration(Iteration it) {
    JsonObject o = new JsonObject();
    o.addProperty("iteration", it.getIteration());
    o.addProperty("loss", it.getLoss());
    o.addProperty("millis", it.getMillis());
    o.addProperty("predictedBubbleRate", it.getPredictedBubbleRate());
    o.addProperty("realizedBubbleRate", it.getRealizedBubbleRate());
    o.addProperty("rollbacks", it.getRollbacks());
    return o;
  }

  private static JsonObject plan(Planned p) {
    JsonObject o = new JsonObject();
    o.addProperty("schedule", p.getSchedule());
    o.addProperty("planText", p.getPlanText());
    o.addProperty("predictedBubbleRate", p.getPredictedBubbleRate());
    JsonArray placement = new JsonArray();
    p.getPlacementList().forEach(placement::add);
    o.add("placement", placement);
    return o;
  }

  /** An event other than an iteration: its kind (the oneof's field name) and its fields in one line. */
  private static JsonObject event(JobEvent e) {
    JsonObject o = new JsonObject();
    o.addProperty("sequence", e.getSequence());
    o.addProperty("timeMillis", e.getTimeMillis());
    FieldDescriptor f = JobEvent.getDescriptor().findFieldByNumber(e.getEventCase().getNumber());
    o.addProperty("kind", f == null ? "unknown" : f.getName());
    String text;
    if (e.hasPlanned()) {
      text = String.format(Locale.ROOT, "planned %s, predicted bubble %.4f, on %s", e.getPlanned().getSchedule(),
          e.getPlanned().getPredictedBubbleRate(), String.join(", ", e.getPlanned().getPlacementList()));
    } else {
      text = f == null ? "" : TextFormat.shortDebugString((Message) e.getField(f));
    }
    o.addProperty("text", text);
    return o;
  }

  /** The iteration's SVG as it ran, and each stage's busy fraction: its pass time over the largest stage span. */
  private static JsonObject timeline(Job j, Iteration it) {
    List<TimelineBar> bars = it.getPassesList().stream().map(p -> bar(it.getIteration(), p)).toList();
    int stages = j.getSpec().getStages();
    String title = String.format(Locale.ROOT, "%s, p=%d, m=%d, iteration %d of %d as it ran: %.1f ms, bubble "
        + "rate predicted %.4f, realized %.4f", j.getSpec().getSchedule(), stages, j.getSpec().getMicrobatches(),
        it.getIteration() + 1, it.getIterations(), it.getMillis(), it.getPredictedBubbleRate(),
        it.getRealizedBubbleRate());
    JsonObject o = new JsonObject();
    o.addProperty("iteration", it.getIteration());
    o.addProperty("svg", TimelineSvg.svg(title, stages, bars).replaceFirst("<\\?xml[^>]*>\\s*", ""));
    TreeMap<Integer, double[]> perStage = new TreeMap<>();  // stage -> {busy, first start, last end}
    for (Pass p : it.getPassesList()) {
      double[] s = perStage.computeIfAbsent(p.getStage(), k -> new double[] {0, Double.MAX_VALUE, -Double.MAX_VALUE});
      s[0] += p.getEndMillis() - p.getStartMillis();
      s[1] = Math.min(s[1], p.getStartMillis());
      s[2] = Math.max(s[2], p.getEndMillis());
    }
    double cost = perStage.values().stream().mapToDouble(s -> s[2] - s[1]).max().orElse(0);
    JsonArray rows = new JsonArray();
    perStage.forEach((stage, s) -> {
      JsonObject row = new JsonObject();
      double busy = cost > 0 ? Math.min(1, s[0] / cost) : 0;
      row.addProperty("stage", stage);
      row.addProperty("busy", busy);
      row.addProperty("bubble", 1 - busy);
      rows.add(row);
    });
    o.add("stages", rows);
    return o;
  }

  private static TimelineBar bar(int iteration, Pass p) {
    return new TimelineBar(iteration, p.getStage(), p.getOp(), p.getMicrobatch(), p.getChunk(), p.getStartMillis(),
        p.getEndMillis());
  }
}
