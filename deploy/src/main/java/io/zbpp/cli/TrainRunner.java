package io.zbpp.cli;

import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.device.Devices;
import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.gpu.pipeline.ReferenceTrainer;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.JobStarted;
import io.zbpp.protocol.msg.CheckpointStats;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.OptimizerStats;
import io.zbpp.protocol.msg.Replan;
import io.zbpp.runtime.LocalTraining;
import io.zbpp.runtime.TrainReport;
import io.zbpp.runtime.TrainSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Runs a {@link TrainJob} for the CLI — on the actor runtime or on the single-device reference trainer — with
 * a line per iteration and a progress bar (text mode; the bar only on a terminal), and prints the result as
 * text or as the JSON object of {@code zbpp train --json}.
 */
final class TrainRunner {
  /** The summary's loss line on the emulated backend, which sleeps instead of computing. */
  static final String EMULATED_LOSS = "loss: none (emulated backend: no arithmetic)";

  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean json;
  private final int lineEvery;

  /** @param lineEvery print the loss line of every n-th iteration (and of the first and the last) */
  TrainRunner(PrintWriter out, PrintWriter err, boolean json, int lineEvery) {
    this.out = out;
    this.err = err;
    this.json = json;
    this.lineEvery = lineEvery;
  }

  /** Trains on the pipeline runtime in a fresh local actor system, on the model the job names. */
  TrainReport pipeline(TrainJob job) {
    return pipeline(job, null);
  }

  /**
   * Trains on the pipeline runtime in a fresh local actor system; the stages build chunk c with {@code chunks}
   * when given (a tap on the runners), else the model the job names. The header and the progress bar start when
   * the coordinator reports the plan it chose; a spec it rejects (a memory limit its plan cannot keep) is a
   * {@link UsageException} naming the option, with nothing printed.
   */
  TrainReport pipeline(TrainJob job, IntFunction<ChunkRunner> chunks) {
    Progress[] bar = new Progress[1];
    LocalTraining.Listener listener = listener(job, bar);
    try (LocalTraining t = LocalTraining.open(false)) {
      return chunks == null ? t.train(job.spec(), listener)
          : t.train(job.spec(), (load, c) -> chunks.apply(c), listener);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage().lines().findFirst().orElse("bad input"));
    } catch (IllegalStateException e) {
      throw failed(e);
    } finally {
      if (bar[0] != null) {
        bar[0].finish();
      }
    }
  }

  /**
   * Trains on a local cluster of child JVMs ({@code --processes}; docs/cluster.md): a coordinator and one
   * one-device worker per stage on 127.0.0.1, joined by this JVM as a client that submits the job; the same
   * output as {@link #pipeline(TrainJob)}. Every child is stopped when this returns or fails, and on Ctrl-C.
   */
  TrainReport processes(TrainJob job) {
    TrainSpec spec = job.spec();
    String backend = job.runner().backend().name().toLowerCase(Locale.ROOT);
    List<String> inject = spec.toResolvedJob("spares").spec().getInjectList();
    inject.stream().filter(i -> i.startsWith("kill-coordinator:")).findFirst().ifPresent(i -> {
      throw new UsageException("--inject [" + i + "]: zbpp train --processes cannot survive its coordinator's "
          + "death (the job lives in this launcher); submit the job to a coordinator with a standby instead "
          + "(zbpp submit, docs/faults.md)");
    });
    // one spare worker per injected worker death, so that the job has somewhere to recover to
    long spares = inject.stream().filter(i -> i.startsWith("kill-worker:")).count();
    int workers = spec.stages() + (int) spares;
    if (!json) {
      err.printf(Locale.ROOT, "starting a coordinator and %d %s workers%s as child JVMs on 127.0.0.1%n", workers,
          backend, spares == 0 ? "" : " (" + spares + " spare)");
      err.flush();
    }
    Progress[] bar = new Progress[1];
    try (LocalCluster cluster = LocalCluster.start(workers, backend)) {
      return cluster.train(spec, listener(job, bar));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage().lines().findFirst().orElse("bad input"));
    } catch (IllegalStateException e) {
      throw failed(e);
    } finally {
      if (bar[0] != null) {
        bar[0].finish();
      }
    }
  }

  /** A job that failed (a fault it could not recover from, a timeout) is one line and exit status 1. */
  private static RuntimeException failed(IllegalStateException e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    return m.startsWith("job ") ? new RunFailure(m.lines().findFirst().orElse(m)) : e;
  }

  private LocalTraining.Listener listener(TrainJob job, Progress[] bar) {
    TrainSpec spec = job.spec();
    boolean emulated = job.runner().backend() == Backend.EMULATED;
    return new LocalTraining.Listener() {
      @Override
      public void started(JobStarted s) {
        bar[0] = start(job, spec.schedule(), s.placement());
      }

      @Override
      public void iteration(IterationResult it) {
        iterationDone(bar[0], it.iteration(), emulated ? Double.NaN : it.loss(), it.wallNanos() / 1e6,
            spec.iterations());
      }
    };
  }

  /**
   * Trains on one device with the same model, data and optimizer ({@link ReferenceTrainer}) and the
   * synchronous check ({@link TrainJob#referenceOptions()}); its report has no bubble rates (null in JSON), no
   * timeline, and never a rollback (rollback mode {@code sync}).
   */
  TrainReport reference(TrainJob job) {
    TrainSpec spec = job.spec();
    RunnerSpec runner = job.runner();
    Progress bar = start(job, TrainCommand.REFERENCE, List.of());
    List<Double> losses = new ArrayList<>();
    List<Double> millis = new ArrayList<>();
    try (ReferenceTrainer t = new ReferenceTrainer(runner, job.referenceOptions())) {
      for (int k = 0; k < spec.iterations(); k++) {
        long t0 = System.nanoTime();
        double loss = t.run(1)[0];
        millis.add((System.nanoTime() - t0) / 1e6);
        losses.add(loss);
        iterationDone(bar, k, loss, millis.get(k), spec.iterations());
      }
      double steady = millis.subList(millis.size() > 1 ? 1 : 0, millis.size()).stream()
          .mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      return new TrainReport(TrainCommand.REFERENCE, spec.stages(), spec.microbatches(), losses,
          t.parameterSha256(), Double.NaN, Double.NaN, List.of(), millis,
          spec.microbatches() * runner.microbatchSize() * 1000.0 / steady, List.of(), "",
          new OptimizerStats(0, t.skippedSteps(), t.clippedSteps(), 0, "sync"));
    } finally {
      bar.finish();
    }
  }

  /** The header; with {@code placement} (from the coordinator), one line saying where each stage runs. */
  private Progress start(TrainJob job, String schedule, List<String> placement) {
    if (!json) {
      RunnerSpec r = job.runner();
      TrainSpec s = job.spec();
      out.printf(Locale.ROOT, "%s  p=%d m=%d v=%d  model %s (%d layers, h=%d)  backend %s  seed %d  microbatch "
          + "size %d  %d iterations%n", schedule, s.stages(), s.microbatches(), s.chunksPerStage(),
          r.model().name(), r.model().layers(), r.model().hidden(), backendText(r.backend()),
          r.seed(), r.microbatchSize(), s.iterations());
      if (!placement.isEmpty()) {
        out.println("stages: " + String.join(", ", placement));
      }
      out.flush();
    }
    return Progress.of(out, err, job.spec().iterations(), !json);
  }

  /** One iteration's line and progress; a NaN loss (the emulated backend computes none) prints as "-". */
  private void iterationDone(Progress bar, int iteration, double loss, double millis, int iterations) {
    boolean shown = iteration == 0 || (iteration + 1) % lineEvery == 0 || iteration == iterations - 1;
    String lossText = Double.isNaN(loss) ? "loss -" : String.format(Locale.ROOT, "loss %.4f", loss);
    if (!json && shown) {
      bar.line(String.format(Locale.ROOT, "iteration %d/%d  %s  %.0f ms", iteration + 1, iterations, lossText,
          millis));
    }
    bar.update(iteration + 1, lossText);
  }

  /** Prints the result: the summary, or one JSON object with {@code --json}. */
  void report(TrainJob job, TrainReport r, Path timeline) {
    if (json) {
      Map<String, Object> obj = json(job, r);
      if (timeline != null) {
        obj.put("timeline", timeline.toString());
      }
      out.println(Json.write(obj));
    } else {
      out.println("backend: " + backendText(job.runner().backend()));
      out.print(summary(r, job.runner().backend() == Backend.EMULATED));
      if (timeline != null) {
        out.println("timeline written to " + timeline);
      }
    }
    out.flush();
  }

  /** Why the emulated backend's losses and digest are null. */
  static final String EMULATED_NO_ARITHMETIC = "emulated backend: passes sleep, no arithmetic";

  /**
   * The fields of {@code zbpp train --json}, in order. A field that is null says why in {@code nullReasons}
   * (field name to reason): the emulated backend computes no losses and no parameters, the reference trainer
   * runs no pipeline.
   */
  static Map<String, Object> json(TrainJob job, TrainReport r) {
    boolean emulated = job.runner().backend() == Backend.EMULATED;
    Optional<PlannedRun> planned = PlannedRun.of(job.spec(), r);
    Map<String, String> why = new LinkedHashMap<>();
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("schedule", r.schedule());
    o.put("backend", name(job.runner().backend()));
    o.put("backendRequested", name(job.runner().backend()));
    o.put("backendActual", name(Devices.resolve(job.runner().backend())));
    o.put("model", job.runner().model().name());
    o.put("stages", r.stages());
    o.put("microbatches", r.microbatches());
    o.put("chunks", job.spec().chunksPerStage());
    o.put("microbatchSize", job.runner().microbatchSize());
    o.put("iterations", job.spec().iterations());
    o.put("seed", job.runner().seed());
    o.put("losses", emulated ? null : Json.exact(r.losses()));
    o.put("paramsSha256", emulated ? null : r.paramsSha256());
    if (emulated) {
      why.put("losses", EMULATED_NO_ARITHMETIC);
      why.put("paramsSha256", EMULATED_NO_ARITHMETIC);
    }
    o.put("predictedBubbleRate", r.predictedBubbleRate());
    o.put("realizedBubbleRate", r.realizedBubbleRate());
    o.put("realizedBubbleRates", r.realizedBubbleRates());
    o.put("iterationMillis", r.iterationMillis());
    o.put("samplesPerSecond", r.samplesPerSecond());
    o.put("steadyIterations", steadyIterations(r));
    o.put("costs", planned.map(p -> ScheduleReport.costs(p.costs())).orElse(null));
    o.put("plannedPeakMemory", planned.map(p -> (Object) p.timeline().peakMemory()).orElse(null));
    o.put("measuredPeakBytes", r.peakBytes().isEmpty() || emulated ? null : r.peakBytes());
    o.put("replans", r.replans().stream().map(TrainRunner::replanJson).toList());
    o.put("cores", Runtime.getRuntime().availableProcessors());
    o.put("coreWaitShare", emulated ? null : r.coreWaitShare());
    if (planned.isEmpty()) {
      String ref = "the reference trainer runs no pipeline plan";
      why.put("predictedBubbleRate", ref);
      why.put("realizedBubbleRate", ref);
      why.put("costs", ref);
      why.put("plannedPeakMemory", ref);
    }
    if (r.peakBytes().isEmpty() || emulated) {
      why.put("measuredPeakBytes", emulated ? "emulated backend: no tensors are held" : "not measured");
    }
    if (emulated) {
      why.put("coreWaitShare", "emulated backend: passes sleep instead of using a core");
    } else if (Double.isNaN(r.coreWaitShare())) {
      why.put("coreWaitShare", "thread CPU time not measured");
    }
    OptimizerOptions check = job.spec().optimizer();
    if (check.checked()) {
      o.put("postValidation", check.check() == OptimizerOptions.Check.POST_VALIDATION ? "on" : "off");
      o.put("rollbacks", r.optimizer().rollbacks());
      o.put("skippedSteps", r.optimizer().skippedSteps());
      o.put("clippedSteps", r.optimizer().clippedSteps());
      o.put("rollbackMode", r.optimizer().rollbackMode());
      o.put("rollbackBytes", r.optimizer().rollbackBytes());
    }
    o.put("faultsDetected", r.recovery().faultsDetected());
    o.put("recoveries", r.recovery().recoveries());
    o.put("iterationsReplayed", r.recovery().iterationsReplayed());
    o.put("recoverySeconds", r.recovery().recoverySeconds());
    CheckpointStats c = r.checkpoints();
    o.put("checkpoints", c.written());
    o.put("checkpointsFailed", c.failed());
    o.put("checkpointBytes", c.bytes());
    o.put("checkpointSeconds", c.seconds());
    o.put("checkpointPauseSeconds", c.pauseSeconds());
    if (c.resumedFrom() >= 0) {
      o.put("resumedFrom", c.resumedFrom());
    }
    o.put("nullReasons", why);
    return o;
  }

  static Map<String, Object> replanJson(Replan p) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("iteration", p.iteration());
    o.put("oldPredictedMs", p.oldPredictedMs());
    o.put("newPredictedMs", p.newPredictedMs());
    o.put("reason", p.reason());
    return o;
  }

  /** One line per swap of the stage programs by re-planning. */
  static String replanLines(List<Replan> replans) {
    StringBuilder sb = new StringBuilder();
    for (Replan p : replans) {
      sb.append(String.format(Locale.ROOT, "re-planned from iteration %d: predicted %.2f -> %.2f ms per iteration "
          + "(%.1f%% faster); %s%n", p.iteration(), p.oldPredictedMs(), p.newPredictedMs(), 100 * p.gain(),
          p.reason()));
    }
    return sb.toString();
  }

  /**
   * The text summary after the per-iteration lines; {@code emulated}: the loss line says that no loss was
   * computed (the emulated backend's losses are 0).
   */
  static String summary(TrainReport r, boolean emulated) {
    String steadyWhat = steadyIterations(r) == r.iterationMillis().size() ? "the only iteration, JIT warm-up "
        + "included" : "mean of iterations after the first";
    StringBuilder sb = new StringBuilder();
    List<Double> l = r.losses();
    sb.append(emulated ? String.format(Locale.ROOT, "%s over %d iterations%n", EMULATED_LOSS, l.size())
        : String.format(Locale.ROOT, "loss %.4f -> %.4f over %d iterations%n", l.get(0), l.get(l.size() - 1),
            l.size()));
    if (Double.isFinite(r.predictedBubbleRate())) {
      sb.append(String.format(Locale.ROOT, "bubble rate: predicted %.4f, realized %.4f (%s)%n",
          r.predictedBubbleRate(), r.realizedBubbleRate(), steadyWhat));
      if (!emulated && Double.isFinite(r.coreWaitShare())) {
        sb.append(String.format(Locale.ROOT, "passes ran on a core %.0f%% of their wall time; %.0f%% was waiting "
            + "for one%n", 100 * (1 - r.coreWaitShare()), 100 * r.coreWaitShare()));
      }
      sb.append(coresLine(r.stages(), Runtime.getRuntime().availableProcessors(), emulated));
    }
    double steady = r.iterationMillis().subList(r.iterationMillis().size() > 1 ? 1 : 0, r.iterationMillis().size())
        .stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    sb.append(String.format(Locale.ROOT, "iteration %.1f ms, %.1f samples/s (%s)%n", steady,
        r.samplesPerSecond(), steadyWhat.replace("mean of iterations after the first", "after the first")));
    sb.append(checkLine(r.optimizer()));
    sb.append(replanLines(r.replans()));
    if (r.recovery().faultsDetected() > 0) {
      sb.append(String.format(Locale.ROOT, "faults: %d detected, %d recovered from, %d iterations replayed, "
          + "%.2f s recovering%n", r.recovery().faultsDetected(), r.recovery().recoveries(),
          r.recovery().iterationsReplayed(), r.recovery().recoverySeconds()));
    }
    sb.append(checkpointLine(r.checkpoints()));
    sb.append("paramsSha256 ").append(emulated ? "none (" + EMULATED_NO_ARITHMETIC + ")" : r.paramsSha256())
        .append('\n');
    return sb.toString();
  }

  /** What the job did about checkpoints, one line; empty when it took none and resumed from none. */
  static String checkpointLine(CheckpointStats c) {
    if (c.written() == 0 && c.failed() == 0 && c.resumedFrom() < 0) {
      return "";
    }
    String resumed = c.resumedFrom() < 0 ? "" : "resumed from " + io.zbpp.checkpoint.CheckpointStore.name(
        c.resumedFrom()) + "; ";
    return String.format(Locale.ROOT, "checkpoints: %s%d written (%d bytes, %.2f s of background writes), %d failed%n",
        resumed, c.written(), c.bytes(), c.seconds(), c.failed());
  }

  /** How many iterations the steady-state figures average: all but the first, or the only one. */
  static int steadyIterations(TrainReport r) {
    int n = r.iterationMillis().size();
    return n > 1 ? n - 1 : n;
  }

  /**
   * One line when the stages' threads outnumber the cores: part of the realized bubble is then waiting for a
   * core, not the schedule; empty otherwise (and on the emulated backend, whose passes sleep).
   */
  static String coresLine(int stages, int cores, boolean emulated) {
    if (emulated || cores >= stages) {
      return "";
    }
    return String.format(Locale.ROOT, "note: %d stages share %d cores, so part of the realized bubble is stages "
        + "waiting for a core, not the schedule%n", stages, cores);
  }

  /**
   * The backend that ran, and the one requested when they differ: {@code cpu}, or {@code cpu (cuda requested:
   * <why not>)} for {@code --backend cuda} without a GPU.
   */
  static String backendText(Backend requested) {
    Backend actual = Devices.resolve(requested);
    return actual == requested ? name(actual)
        : name(actual) + " (" + name(requested) + " requested: " + Devices.fallbackReason(requested) + ")";
  }

  private static String name(Backend b) {
    return b.name().toLowerCase(Locale.ROOT);
  }

  /** The optimizer check's counters as one line; empty for a job without a check (rollback mode none). */
  static String checkLine(OptimizerStats s) {
    String how = switch (s.rollbackMode()) {
      case "none" -> null;
      case "sync" -> "post-validation off (synchronous)";
      default -> "post-validation on (rollback " + s.rollbackMode() + ", up to " + s.rollbackBytes()
          + " bytes kept per stage)";
    };
    return how == null ? "" : String.format(Locale.ROOT, "optimizer check: %s; rollbacks %d, skipped steps %d, "
        + "clipped steps %d%n", how, s.rollbacks(), s.skippedSteps(), s.clippedSteps());
  }

}
