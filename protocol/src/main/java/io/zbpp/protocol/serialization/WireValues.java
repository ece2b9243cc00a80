package io.zbpp.protocol.serialization;

import io.zbpp.protocol.JobKey;
import io.zbpp.protocol.Wire;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.ResolvedJob;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.RecoveryStats;
import io.zbpp.protocol.msg.OptimizerStats;
import io.zbpp.protocol.msg.LossRecord;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.protocol.msg.PassRecord;
import io.zbpp.protocol.msg.ProgramInstruction;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.StageProgram;
import io.zbpp.protocol.msg.StageTrace;
import io.zbpp.protocol.msg.TensorKey;
import io.zbpp.protocol.msg.IterationResult;
import java.util.ArrayList;
import java.util.List;

/** Maps the value records inside messages to and from their protobuf messages. Pure functions. */
final class WireValues {
  private WireValues() {}

  static JobKey job(JobEpoch j) {
    return JobKey.newBuilder().setJobId(j.jobId()).setEpoch(j.epoch()).build();
  }

  static JobEpoch job(JobKey k) {
    return new JobEpoch(k.getJobId(), k.getEpoch());
  }

  static Wire.ProgramOp op(ProgramOp op) {
    return WireEnums.PROGRAM_OP.toWire(op);
  }

  static ProgramOp op(Wire.ProgramOp op) {
    return WireEnums.PROGRAM_OP.fromWire(op);
  }

  static Wire.StageProgram program(StageProgram p) {
    Wire.StageProgram.Builder b = Wire.StageProgram.newBuilder().setStage(p.stage());
    for (ProgramInstruction in : p.instructions()) {
      b.addInstructions(Wire.Instruction.newBuilder().setOp(op(in.op())).setMicrobatch(in.microbatch())
          .setChunk(in.chunk()));
    }
    return b.build();
  }

  static StageProgram program(Wire.StageProgram p) {
    List<ProgramInstruction> ins = new ArrayList<>();
    for (Wire.Instruction in : p.getInstructionsList()) {
      ins.add(new ProgramInstruction(p.getStage(), op(in.getOp()), in.getMicrobatch(), in.getChunk()));
    }
    return new StageProgram(p.getStage(), ins);
  }

  static Wire.TensorKey key(TensorKey k) {
    return Wire.TensorKey.newBuilder().setIteration(k.iteration())
        .setKind(WireEnums.TENSOR_KIND.toWire(k.kind())).setMicrobatch(k.microbatch())
        .setChunk(k.chunk()).setIndex(k.index()).build();
  }

  static TensorKey key(Wire.TensorKey k) {
    return new TensorKey(k.getIteration(), WireEnums.TENSOR_KIND.fromWire(k.getKind()), k.getMicrobatch(),
        k.getChunk(), k.getIndex());
  }

  static Wire.PassRecord pass(PassRecord r) {
    return Wire.PassRecord.newBuilder().setOp(op(r.op())).setMicrobatch(r.microbatch()).setChunk(r.chunk())
        .setStartNanos(r.startNanos()).setEndNanos(r.endNanos()).setCpuNanos(r.cpuNanos()).build();
  }

  static PassRecord pass(Wire.PassRecord r) {
    return new PassRecord(op(r.getOp()), r.getMicrobatch(), r.getChunk(), r.getStartNanos(), r.getEndNanos(),
        r.getCpuNanos());
  }

  static Wire.LossRecord loss(LossRecord r) {
    return Wire.LossRecord.newBuilder().setMicrobatch(r.microbatch()).setLoss(r.loss()).build();
  }

  static LossRecord loss(Wire.LossRecord r) {
    return new LossRecord(r.getMicrobatch(), r.getLoss());
  }

  static Wire.StageTrace trace(StageTrace t) {
    return Wire.StageTrace.newBuilder().setStage(t.stage()).setPeakBytes(t.peakBytes())
        .addAllPasses(t.passes().stream().map(WireValues::pass).toList()).build();
  }

  static StageTrace trace(Wire.StageTrace t) {
    return new StageTrace(t.getStage(), t.getPassesList().stream().map(WireValues::pass).toList(),
        t.getPeakBytes());
  }

  static Wire.IterationResult iteration(IterationResult r) {
    return Wire.IterationResult.newBuilder().setIteration(r.iteration()).setLoss(r.loss())
        .setWallNanos(r.wallNanos()).setRealizedBubbleRate(r.realizedBubbleRate())
        .addAllStages(r.stages().stream().map(WireValues::trace).toList()).setRollbacks(r.rollbacks())
        .setSkipped(r.skipped()).build();
  }

  static IterationResult iteration(Wire.IterationResult r) {
    return new IterationResult(r.getIteration(), r.getLoss(), r.getWallNanos(), r.getRealizedBubbleRate(),
        r.getStagesList().stream().map(WireValues::trace).toList(), r.getRollbacks(), r.getSkipped());
  }

  static Wire.ResolvedJob spec(ResolvedJob s) {
    ModelShape m = s.model();
    return Wire.ResolvedJob.newBuilder().setJobId(s.jobId()).setSchedule(s.schedule()).setPlanText(s.planText())
        .setStages(s.stages()).setMicrobatches(s.microbatches()).setChunksPerStage(s.chunksPerStage())
        .setIterations(s.iterations()).addAllCostF(s.costF()).addAllCostB(s.costB()).addAllCostW(s.costW())
        .setCostComm(s.costComm())
        .setModel(Wire.ModelShape.newBuilder().setLayers(m.layers()).setHidden(m.hidden()).setHeads(m.heads())
            .setSequenceLength(m.sequenceLength()).setMicrobatchSize(m.microbatchSize()))
        .setMemLimit(s.memLimit()).setMemLimitFactor(s.memLimitFactor()).setFrameBytes(s.frameBytes())
        .setOptimizer(optimizer(s.optimizer())).addAllMemF(s.memF()).addAllMemB(s.memB()).addAllMemW(s.memW())
        .setModelSpec(WireModel.model(s.modelSpec())).setSpec(s.spec()).build();
  }

  static Wire.OptimizerOptions optimizer(OptimizerOptions o) {
    return Wire.OptimizerOptions.newBuilder().setCheck(WireEnums.CHECK.toWire(o.check())).setClipNorm(o.clipNorm())
        .setRollback(WireEnums.ROLLBACK.toWire(o.rollback())).setInjectNanIteration(o.injectNanIteration())
        .setInjectNanStage(o.injectNanStage()).build();
  }

  /** An absent message (an older sender) reads as {@link OptimizerOptions#none()}. */
  static OptimizerOptions optimizer(boolean present, Wire.OptimizerOptions o) {
    if (!present) {
      return OptimizerOptions.none();
    }
    return new OptimizerOptions(WireEnums.CHECK.fromWire(o.getCheck()), o.getClipNorm(),
        WireEnums.ROLLBACK.fromWire(o.getRollback()), o.getInjectNanIteration(), o.getInjectNanStage());
  }

  static Wire.OptimizerStats stats(OptimizerStats s) {
    return Wire.OptimizerStats.newBuilder().setRollbacks(s.rollbacks()).setSkippedSteps(s.skippedSteps())
        .setClippedSteps(s.clippedSteps()).setRollbackBytes(s.rollbackBytes()).setRollbackMode(s.rollbackMode())
        .build();
  }

  static OptimizerStats stats(boolean present, Wire.OptimizerStats s) {
    if (!present) {
      return OptimizerStats.none();
    }
    return new OptimizerStats(s.getRollbacks(), s.getSkippedSteps(), s.getClippedSteps(), s.getRollbackBytes(),
        s.getRollbackMode());
  }

  static Wire.RecoveryStats recovery(RecoveryStats r) {
    return Wire.RecoveryStats.newBuilder().setFaultsDetected(r.faultsDetected()).setRecoveries(r.recoveries())
        .setIterationsReplayed(r.iterationsReplayed()).setRecoverySeconds(r.recoverySeconds())
        .addAllEvents(r.events()).build();
  }

  static RecoveryStats recovery(Wire.RecoveryStats r) {
    return new RecoveryStats(r.getFaultsDetected(), r.getRecoveries(), r.getIterationsReplayed(),
        r.getRecoverySeconds(), r.getEventsList());
  }

  static ResolvedJob spec(Wire.ResolvedJob s) {
    Wire.ModelShape m = s.getModel();
    return new ResolvedJob(s.getJobId(), s.getSchedule(), s.getPlanText(), s.getStages(), s.getMicrobatches(),
        s.getChunksPerStage(), s.getIterations(), s.getCostFList(), s.getCostBList(), s.getCostWList(),
        s.getCostComm(), new ModelShape(m.getLayers(), m.getHidden(), m.getHeads(), m.getSequenceLength(),
            m.getMicrobatchSize()), s.getMemLimit(), s.getMemLimitFactor(), s.getFrameBytes(),
        optimizer(s.hasOptimizer(), s.getOptimizer()), s.getMemFList(), s.getMemBList(), s.getMemWList(),
        WireModel.model(s.hasModelSpec(), s.getModelSpec()), s.getSpec());
  }
}
