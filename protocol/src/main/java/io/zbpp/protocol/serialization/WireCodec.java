package io.zbpp.protocol.serialization;

import static io.zbpp.protocol.serialization.WireValues.job;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.zbpp.protocol.Wire;
import io.zbpp.protocol.msg.CheckpointProgress;
import io.zbpp.protocol.msg.JobRecovered;
import io.zbpp.protocol.msg.CheckpointStats;
import io.zbpp.protocol.msg.CommandRejected;
import io.zbpp.protocol.msg.DataEndpoint;
import io.zbpp.protocol.msg.DataPeers;
import io.zbpp.protocol.msg.FetchParameters;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.JobFailed;
import io.zbpp.protocol.msg.JobFinished;
import io.zbpp.protocol.msg.JobProgress;
import io.zbpp.protocol.msg.LoadProgram;
import io.zbpp.protocol.msg.JobRejected;
import io.zbpp.protocol.msg.JobStarted;
import io.zbpp.protocol.msg.ProbeStage;
import io.zbpp.protocol.msg.RestoreCheckpoint;
import io.zbpp.protocol.msg.RestoreStage;
import io.zbpp.protocol.msg.ShardWritten;
import io.zbpp.protocol.msg.StageBlocked;
import io.zbpp.protocol.msg.TakeCheckpoint;
import io.zbpp.protocol.msg.ShardDigest;
import io.zbpp.protocol.msg.SnapshotStage;
import io.zbpp.protocol.msg.StageRestored;
import io.zbpp.protocol.msg.StageSnapshot;
import io.zbpp.protocol.msg.ProgramLoaded;
import io.zbpp.protocol.msg.ProgramSwapped;
import io.zbpp.protocol.msg.Replan;
import io.zbpp.protocol.msg.SwapProgram;
import io.zbpp.protocol.msg.OptimizerState;
import io.zbpp.protocol.msg.RunIteration;
import io.zbpp.protocol.msg.StageFailed;
import io.zbpp.protocol.msg.StopStage;
import io.zbpp.protocol.msg.SubmitJob;
import io.zbpp.protocol.msg.TensorFrame;
import io.zbpp.protocol.msg.WireMessage;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Maps every {@link WireMessage} record to its protobuf message of {@code runtime.proto} and back. The
 * manifest (the record's simple name) tells which message a byte string holds.
 */
public final class WireCodec {
  private final RefCodec refs;
  private final Map<String, Parser> parsers = Map.ofEntries(
      Map.entry("TensorFrame", b -> frame(Wire.TensorFrame.parseFrom(b))),
      Map.entry("LoadProgram", b -> load(Wire.LoadProgram.parseFrom(b))),
      Map.entry("RunIteration", b -> run(Wire.RunIteration.parseFrom(b))),
      Map.entry("FetchParameters", b -> new FetchParameters(job(Wire.FetchParameters.parseFrom(b).getJob()))),
      Map.entry("DataPeers", b -> peers(Wire.DataPeers.parseFrom(b))),
      Map.entry("StopStage", b -> new StopStage(job(Wire.StopStage.parseFrom(b).getJob()))),
      Map.entry("ProgramLoaded", b -> loaded(Wire.ProgramLoaded.parseFrom(b))),
      Map.entry("SwapProgram", b -> swap(Wire.SwapProgram.parseFrom(b))),
      Map.entry("ProgramSwapped", b -> swapped(Wire.ProgramSwapped.parseFrom(b))),
      Map.entry("IterationReport", b -> report(Wire.IterationReport.parseFrom(b))),
      Map.entry("ShardDigest", b -> digest(Wire.ShardDigest.parseFrom(b))),
      Map.entry("SnapshotStage", b -> snapshot(Wire.SnapshotStage.parseFrom(b))),
      Map.entry("StageSnapshot", b -> snapshot(Wire.StageSnapshot.parseFrom(b))),
      Map.entry("RestoreStage", b -> restore(Wire.RestoreStage.parseFrom(b))),
      Map.entry("StageRestored", b -> restored(Wire.StageRestored.parseFrom(b))),
      Map.entry("JobStarted", b -> started(Wire.JobStarted.parseFrom(b))),
      Map.entry("JobRejected", b -> jobRejected(Wire.JobRejected.parseFrom(b))),
      Map.entry("StageFailed", b -> failed(Wire.StageFailed.parseFrom(b))),
      Map.entry("CommandRejected", b -> rejected(Wire.CommandRejected.parseFrom(b))),
      Map.entry("SubmitJob", b -> submit(Wire.SubmitJob.parseFrom(b))),
      Map.entry("JobFinished", b -> finished(Wire.JobFinished.parseFrom(b))),
      Map.entry("JobFailed", b -> jobFailed(Wire.JobFailed.parseFrom(b))),
      Map.entry("JobProgress", b -> progress(Wire.JobProgress.parseFrom(b))),
      Map.entry("CheckpointProgress", b -> checkpointProgress(Wire.CheckpointProgress.parseFrom(b))),
      Map.entry("JobRecovered", b -> recovered(Wire.JobRecovered.parseFrom(b))),
      Map.entry("OptimizerState", b -> state(Wire.OptimizerState.parseFrom(b))),
      Map.entry("ProbeStage", b -> new ProbeStage(job(Wire.ProbeStage.parseFrom(b).getJob()))),
      Map.entry("StageBlocked", b -> blocked(Wire.StageBlocked.parseFrom(b))),
      Map.entry("TakeCheckpoint", b -> take(Wire.TakeCheckpoint.parseFrom(b))),
      Map.entry("ShardWritten", b -> written(Wire.ShardWritten.parseFrom(b))),
      Map.entry("RestoreCheckpoint", b -> restoreCheckpoint(Wire.RestoreCheckpoint.parseFrom(b))));

  @FunctionalInterface
  private interface Parser {
    WireMessage parse(byte[] bytes) throws InvalidProtocolBufferException;
  }

  public WireCodec(RefCodec refs) {
    this.refs = refs;
  }

  /** Every manifest this codec reads. */
  public java.util.Set<String> manifests() {
    return parsers.keySet();
  }

  /** The manifest of a message: its record's simple name. */
  public static String manifest(WireMessage m) {
    return m.getClass().getSimpleName();
  }

  public byte[] toBinary(WireMessage m) {
    return toProto(m).toByteArray();
  }

  /** @throws IllegalArgumentException for an unknown manifest or bytes that do not parse */
  public WireMessage fromBinary(byte[] bytes, String manifest) {
    Parser p = parsers.get(manifest);
    if (p == null) {
      throw new IllegalArgumentException("unknown zbpp message manifest [" + manifest + "]");
    }
    try {
      return p.parse(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("bad bytes for zbpp message " + manifest + ": " + e.getMessage(), e);
    }
  }

  /** The protobuf message of a record. */
  public Message toProto(WireMessage m) {
    if (m instanceof TensorFrame f) {
      return frame(f);
    } else if (m instanceof LoadProgram l) {
      return Wire.LoadProgram.newBuilder().setJob(job(l.job())).setProgram(WireValues.program(l.program()))
          .setMicrobatches(l.microbatches()).addAllChunkStage(l.chunkStage()).setFrameBytes(l.frameBytes())
          .addAllStages(l.stages().stream().map(refs::encode).toList())
          .setCoordinator(refs.encode(l.coordinator())).setOptimizer(WireValues.optimizer(l.optimizer()))
          .setModel(WireModel.model(l.model())).addAllInject(l.inject().stream().map(Object::toString).toList())
          .build();
    } else if (m instanceof SwapProgram s) {
      return Wire.SwapProgram.newBuilder().setJob(job(s.job())).setProgram(WireValues.program(s.program())).build();
    } else if (m instanceof RunIteration r) {
      return Wire.RunIteration.newBuilder().setJob(job(r.job())).setIteration(r.iteration()).build();
    } else if (m instanceof FetchParameters f) {
      return Wire.FetchParameters.newBuilder().setJob(job(f.job())).build();
    } else if (m instanceof DataPeers d) {
      return Wire.DataPeers.newBuilder().setJob(job(d.job())).addAllStages(map(d.stages(), WireCodec::endpoint))
          .build();
    } else if (m instanceof StopStage s) {
      return Wire.StopStage.newBuilder().setJob(job(s.job())).build();
    } else if (m instanceof ProbeStage p) {
      return Wire.ProbeStage.newBuilder().setJob(job(p.job())).build();
    } else if (m instanceof SnapshotStage s) {
      return Wire.SnapshotStage.newBuilder().setJob(job(s.job())).setReplyTo(refs.encode(s.replyTo())).build();
    } else if (m instanceof RestoreStage r) {
      return Wire.RestoreStage.newBuilder().setJob(job(r.job())).addAllChunks(map(r.chunks(), WireModel::chunk))
          .setReplyTo(refs.encode(r.replyTo())).build();
    } else if (m instanceof OptimizerState s) {
      return Wire.OptimizerState.newBuilder().setJob(job(s.job())).setIteration(s.iteration())
          .setFromStage(s.fromStage()).setFull(s.full()).putAllNormSquared(s.normSquared()).build();
    }
    return toProtoEvent(m);
  }

  private Message toProtoEvent(WireMessage m) {
    if (m instanceof ProgramLoaded l) {
      Wire.ProgramLoaded.Builder b = Wire.ProgramLoaded.newBuilder().setJob(job(l.job())).setStage(l.stage());
      l.data().ifPresent(d -> b.setData(endpoint(d)));
      return b.build();
    } else if (m instanceof ProgramSwapped s) {
      return Wire.ProgramSwapped.newBuilder().setJob(job(s.job())).setStage(s.stage()).build();
    } else if (m instanceof IterationReport r) {
      return Wire.IterationReport.newBuilder().setJob(job(r.job())).setStage(r.stage())
          .setIteration(r.iteration()).addAllPasses(map(r.passes(), WireValues::pass))
          .addAllLosses(map(r.losses(), WireValues::loss)).setPeakBytes(r.peakBytes())
          .setSettledIteration(r.settledIteration()).setSettledRollbacks(r.settledRollbacks())
          .setSettledSkipped(r.settledSkipped()).build();
    } else if (m instanceof ShardDigest d) {
      return Wire.ShardDigest.newBuilder().setJob(job(d.job())).setStage(d.stage())
          .putAllChunkTensorSha256(WireModel.digests(d.chunkTensorSha256()))
          .setOptimizer(WireValues.stats(d.optimizer())).build();
    } else if (m instanceof StageSnapshot s) {
      return Wire.StageSnapshot.newBuilder().setJob(job(s.job())).setStage(s.stage())
          .addAllChunks(map(s.chunks(), WireModel::chunk)).build();
    } else if (m instanceof TakeCheckpoint t) {
      return Wire.TakeCheckpoint.newBuilder().setJob(job(t.job())).setIteration(t.iteration()).setDir(t.dir())
          .setInject(t.inject()).build();
    } else if (m instanceof ShardWritten w) {
      return Wire.ShardWritten.newBuilder().setJob(job(w.job())).setStage(w.stage()).setIteration(w.iteration())
          .setFile(w.file()).setSha256(w.sha256()).setBytes(w.bytes()).addAllChunks(w.chunks())
          .setSeconds(w.seconds()).setPauseSeconds(w.pauseSeconds()).setError(w.error()).build();
    } else if (m instanceof RestoreCheckpoint r) {
      return Wire.RestoreCheckpoint.newBuilder().setJob(job(r.job())).setDir(r.dir()).setIteration(r.iteration())
          .setFile(r.file()).setSha256(r.sha256()).setBytes(r.bytes()).build();
    } else if (m instanceof StageRestored r) {
      return Wire.StageRestored.newBuilder().setJob(job(r.job())).setStage(r.stage()).build();
    } else if (m instanceof StageFailed f) {
      return Wire.StageFailed.newBuilder().setJob(job(f.job())).setStage(f.stage()).setMessage(f.message())
          .setProgram(f.program()).build();
    } else if (m instanceof StageBlocked b) {
      return Wire.StageBlocked.newBuilder().setJob(job(b.job())).setStage(b.stage()).setIteration(b.iteration())
          .setProgram(b.program()).setComputing(b.computing()).build();
    } else if (m instanceof CommandRejected r) {
      return Wire.CommandRejected.newBuilder().setJob(job(r.job())).setStage(r.stage()).setReason(r.reason())
          .build();
    } else if (m instanceof SubmitJob s) {
      return Wire.SubmitJob.newBuilder().setSpec(WireValues.spec(s.spec())).setReplyTo(refs.encode(s.replyTo()))
          .setProgress(s.progress().map(refs::encode).orElse("")).build();
    } else if (m instanceof JobStarted j) {
      return Wire.JobStarted.newBuilder().setJob(job(j.job())).setSchedule(j.schedule()).setPlanText(j.planText())
          .setPredictedBubbleRate(j.predictedBubbleRate()).addAllPlacement(j.placement()).build();
    } else if (m instanceof JobRejected r) {
      return Wire.JobRejected.newBuilder().setJob(job(r.job())).setMessage(r.message()).build();
    } else if (m instanceof JobProgress p) {
      return Wire.JobProgress.newBuilder().setJob(job(p.job())).setIterations(p.iterations())
          .setResult(WireValues.iteration(p.result())).build();
    } else if (m instanceof JobRecovered r) {
      return Wire.JobRecovered.newBuilder().setJob(job(r.job())).setFromIteration(r.fromIteration())
          .setFault(r.fault()).build();
    } else if (m instanceof CheckpointProgress c) {
      return Wire.CheckpointProgress.newBuilder().setJob(job(c.job())).setIteration(c.iteration()).setName(c.name())
          .setLocation(c.location()).setBytes(c.bytes()).build();
    } else if (m instanceof JobFinished f) {
      return Wire.JobFinished.newBuilder().setJob(job(f.job())).setPredictedBubbleRate(f.predictedBubbleRate())
          .addAllIterations(map(f.iterations(), WireValues::iteration)).setParamsSha256(f.paramsSha256())
          .setPlanText(f.planText()).setOptimizer(WireValues.stats(f.optimizer()))
          .addAllReplans(map(f.replans(), WireCodec::replan)).setRecovery(WireValues.recovery(f.recovery()))
          .setCheckpoints(checkpoints(f.checkpoints())).build();
    } else if (m instanceof JobFailed f) {
      return Wire.JobFailed.newBuilder().setJob(job(f.job())).setMessage(f.message()).build();
    }
    throw new IllegalArgumentException("no protobuf mapping for " + m.getClass().getName());
  }

  private static <A, B> List<B> map(List<A> in, Function<A, B> f) {
    return in.stream().map(f).toList();
  }

  private static Wire.TensorFrame frame(TensorFrame f) {
    return Wire.TensorFrame.newBuilder().setJob(job(f.job())).setKey(WireValues.key(f.key())).setPart(f.part())
        .setParts(f.parts()).setDtype(Wire.DType.DTYPE_FLOAT32).addAllShape(f.shape()).setData(f.data()).build();
  }

  private static TensorFrame frame(Wire.TensorFrame f) {
    if (f.getDtype() != Wire.DType.DTYPE_FLOAT32) {
      throw new IllegalArgumentException("tensor dtype [" + f.getDtypeValue() + "]: only float32 is supported");
    }
    return new TensorFrame(job(f.getJob()), WireValues.key(f.getKey()), f.getPart(), f.getParts(),
        f.getShapeList(), f.getData());
  }

  private LoadProgram load(Wire.LoadProgram l) {
    return new LoadProgram(job(l.getJob()), WireValues.program(l.getProgram()), l.getMicrobatches(),
        l.getChunkStageList(), l.getFrameBytes(), l.getStagesList().stream().map(refs::<io.zbpp.protocol.msg.StageCommand>decode)
            .toList(), refs.decode(l.getCoordinator()), WireValues.optimizer(l.hasOptimizer(), l.getOptimizer()),
        WireModel.model(l.hasModel(), l.getModel()), io.zbpp.faults.Injection.parseAll(l.getInjectList()));
  }

  private static OptimizerState state(Wire.OptimizerState s) {
    return new OptimizerState(job(s.getJob()), s.getIteration(), s.getFromStage(), s.getFull(),
        s.getNormSquaredMap());
  }

  private static RunIteration run(Wire.RunIteration r) {
    return new RunIteration(job(r.getJob()), r.getIteration());
  }

  private static ProgramLoaded loaded(Wire.ProgramLoaded l) {
    return new ProgramLoaded(job(l.getJob()), l.getStage(),
        l.hasData() ? Optional.of(endpoint(l.getData())) : Optional.empty());
  }

  private static DataPeers peers(Wire.DataPeers d) {
    return new DataPeers(job(d.getJob()), map(d.getStagesList(), WireCodec::endpoint));
  }

  private static Wire.DataEndpoint endpoint(DataEndpoint e) {
    return Wire.DataEndpoint.newBuilder().setPlane(e.plane()).setAddress(e.address()).build();
  }

  private static DataEndpoint endpoint(Wire.DataEndpoint e) {
    return new DataEndpoint(e.getPlane(), e.getAddress());
  }

  private static IterationReport report(Wire.IterationReport r) {
    return new IterationReport(job(r.getJob()), r.getStage(), r.getIteration(),
        map(r.getPassesList(), WireValues::pass), map(r.getLossesList(), WireValues::loss), r.getPeakBytes(),
        r.getSettledIteration(), r.getSettledRollbacks(), r.getSettledSkipped());
  }

  private static ShardDigest digest(Wire.ShardDigest d) {
    return new ShardDigest(job(d.getJob()), d.getStage(), WireModel.hexDigests(d.getChunkTensorSha256Map()),
        WireValues.stats(d.hasOptimizer(), d.getOptimizer()));
  }

  private SnapshotStage snapshot(Wire.SnapshotStage s) {
    return new SnapshotStage(job(s.getJob()), refs.decode(s.getReplyTo()));
  }

  private static StageSnapshot snapshot(Wire.StageSnapshot s) {
    return new StageSnapshot(job(s.getJob()), s.getStage(), map(s.getChunksList(), WireModel::chunk));
  }

  private RestoreStage restore(Wire.RestoreStage r) {
    return new RestoreStage(job(r.getJob()), map(r.getChunksList(), WireModel::chunk), refs.decode(r.getReplyTo()));
  }

  private static TakeCheckpoint take(Wire.TakeCheckpoint t) {
    return new TakeCheckpoint(job(t.getJob()), t.getIteration(), t.getDir(), t.getInject());
  }

  private static ShardWritten written(Wire.ShardWritten w) {
    return new ShardWritten(job(w.getJob()), w.getStage(), w.getIteration(), w.getFile(), w.getSha256(),
        w.getBytes(), w.getChunksList(), w.getSeconds(), w.getPauseSeconds(), w.getError());
  }

  private static RestoreCheckpoint restoreCheckpoint(Wire.RestoreCheckpoint r) {
    return new RestoreCheckpoint(job(r.getJob()), r.getDir(), r.getIteration(), r.getFile(), r.getSha256(),
        r.getBytes());
  }

  private static StageRestored restored(Wire.StageRestored r) {
    return new StageRestored(job(r.getJob()), r.getStage());
  }

  private static JobStarted started(Wire.JobStarted j) {
    return new JobStarted(job(j.getJob()), j.getSchedule(), j.getPlanText(), j.getPredictedBubbleRate(),
        j.getPlacementList());
  }

  private static JobRejected jobRejected(Wire.JobRejected r) {
    return new JobRejected(job(r.getJob()), r.getMessage());
  }

  private static StageFailed failed(Wire.StageFailed f) {
    return new StageFailed(job(f.getJob()), f.getStage(), f.getMessage(), f.getProgram());
  }

  private static CommandRejected rejected(Wire.CommandRejected r) {
    return new CommandRejected(job(r.getJob()), r.getStage(), r.getReason());
  }

  private SubmitJob submit(Wire.SubmitJob s) {
    return new SubmitJob(WireValues.spec(s.getSpec()), refs.decode(s.getReplyTo()),
        s.getProgress().isEmpty() ? Optional.empty() : Optional.of(refs.decode(s.getProgress())));
  }

  private static JobProgress progress(Wire.JobProgress p) {
    return new JobProgress(job(p.getJob()), p.getIterations(), WireValues.iteration(p.getResult()));
  }

  private static JobRecovered recovered(Wire.JobRecovered r) {
    return new JobRecovered(job(r.getJob()), r.getFromIteration(), r.getFault());
  }

  private static CheckpointProgress checkpointProgress(Wire.CheckpointProgress c) {
    return new CheckpointProgress(job(c.getJob()), c.getIteration(), c.getName(), c.getLocation(), c.getBytes());
  }

  private static JobFinished finished(Wire.JobFinished f) {
    return new JobFinished(job(f.getJob()), f.getPredictedBubbleRate(),
        map(f.getIterationsList(), WireValues::iteration), f.getParamsSha256(), f.getPlanText(),
        WireValues.stats(f.hasOptimizer(), f.getOptimizer()), map(f.getReplansList(), WireCodec::replan),
        WireValues.recovery(f.getRecovery()), checkpoints(f.hasCheckpoints(), f.getCheckpoints()));
  }

  private static Wire.Replan replan(Replan r) {
    return Wire.Replan.newBuilder().setIteration(r.iteration()).setOldPredictedMs(r.oldPredictedMs())
        .setNewPredictedMs(r.newPredictedMs()).setReason(r.reason()).build();
  }

  private static Replan replan(Wire.Replan r) {
    return new Replan(r.getIteration(), r.getOldPredictedMs(), r.getNewPredictedMs(), r.getReason());
  }

  private static SwapProgram swap(Wire.SwapProgram s) {
    return new SwapProgram(job(s.getJob()), WireValues.program(s.getProgram()));
  }

  private static ProgramSwapped swapped(Wire.ProgramSwapped s) {
    return new ProgramSwapped(job(s.getJob()), s.getStage());
  }

  private static StageBlocked blocked(Wire.StageBlocked b) {
    return new StageBlocked(job(b.getJob()), b.getStage(), b.getIteration(), b.getProgram(), b.getComputing());
  }

  private static Wire.CheckpointStats checkpoints(CheckpointStats c) {
    return Wire.CheckpointStats.newBuilder().setWritten(c.written()).setFailed(c.failed()).setBytes(c.bytes())
        .setSeconds(c.seconds()).setResumedFrom(c.resumedFrom()).setPauseSeconds(c.pauseSeconds()).build();
  }

  private static CheckpointStats checkpoints(boolean present, Wire.CheckpointStats c) {
    return present ? new CheckpointStats(c.getWritten(), c.getFailed(), c.getBytes(), c.getSeconds(),
        c.getResumedFrom(), c.getPauseSeconds()) : CheckpointStats.none();
  }

  private static JobFailed jobFailed(Wire.JobFailed f) {
    return new JobFailed(job(f.getJob()), f.getMessage());
  }
}
