package io.zbpp.protocol.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.zbpp.protocol.msg.CommandRejected;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.FetchParameters;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.JobFailed;
import io.zbpp.protocol.msg.JobFinished;
import io.zbpp.protocol.msg.JobOutcome;
import io.zbpp.protocol.msg.JobProgress;
import io.zbpp.protocol.msg.ResolvedJob;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.OptimizerState;
import io.zbpp.protocol.msg.OptimizerStats;
import io.zbpp.protocol.msg.LoadProgram;
import io.zbpp.protocol.msg.LossRecord;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.protocol.msg.ChunkState;
import io.zbpp.protocol.msg.JobEvent;
import io.zbpp.protocol.msg.JobRejected;
import io.zbpp.protocol.msg.JobStarted;
import io.zbpp.protocol.msg.ModelSpec;
import io.zbpp.protocol.msg.RestoreStage;
import io.zbpp.protocol.msg.ShardDigest;
import io.zbpp.protocol.msg.SnapshotStage;
import io.zbpp.protocol.msg.StageRestored;
import io.zbpp.protocol.msg.StageSnapshot;
import io.zbpp.protocol.msg.PassRecord;
import io.zbpp.protocol.msg.ProgramLoaded;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.RunIteration;
import io.zbpp.protocol.msg.StageCommand;
import io.zbpp.protocol.msg.StageFailed;
import io.zbpp.protocol.msg.StageProgram;
import io.zbpp.protocol.msg.StageTrace;
import io.zbpp.protocol.msg.StopStage;
import io.zbpp.protocol.msg.SubmitJob;
import io.zbpp.protocol.msg.TensorFrame;
import io.zbpp.protocol.msg.TensorKey;
import io.zbpp.protocol.msg.WireMessage;
import io.zbpp.protocol.Wire;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ZbppSerializerTest {
  private static final ActorTestKit KIT = ActorTestKit.create();
  private static final JobEpoch JOB = new JobEpoch("job-7", 3);
  private static final TestProbe<StageCommand> STAGE = KIT.createTestProbe();
  private static final TestProbe<CoordinatorCommand> COORD = KIT.createTestProbe();
  private static final TestProbe<JobOutcome> CLIENT = KIT.createTestProbe();
  private static final TestProbe<JobEvent> PROGRESS = KIT.createTestProbe();

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  private static final ModelSpec MODEL = new ModelSpec("", new ModelShape(8, 32, 4, 16, 2), 256, 7, 9,
      List.of(3, 5), "emulated", new ModelSpec.AdamW(1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f), List.of(1.5), List.of(2.0, 3.0),
      List.of(0.25), List.of(new ModelSpec.Slowdown(1, 1.5, 10)));

  static Stream<WireMessage> everyMessage() {
    PassRecord pass = new PassRecord(ProgramOp.BW, 4, 9, 123_456_789L, 123_999_999L);
    StageTrace trace = new StageTrace(1, List.of(pass), 4096);
    ResolvedJob spec = new ResolvedJob("job-7", "zb-2p", "0: F0 BW0\n", 4, 12, 2, 5, List.of(1.0, 2.0), List.of(1.5),
        List.of(0.5), 0.25, new ModelShape(22, 2304, 24, 1024, 6), 1e9, 2.0, 4096, OptimizerOptions.none(),
        List.of(), List.of(), List.of(), MODEL, io.zbpp.protocol.jobs.JobSpec.newBuilder().setName("seven")
            .setSchedule("zb-2p").setStages(4).setMicrobatches(12).setIterations(5).setSeed(0).addCostF(1)
            .addCostF(2).addSlowdown("1:1.5@10").setTimeScale(0.5).setLongRun(true).build());
    ChunkState chunk = new ChunkState(3, 7, List.of(new float[] {1.5f, -0f, Float.NaN}, new float[0]),
        List.of(new float[] {1e-30f}, new float[0]), List.of(new float[] {Float.MIN_VALUE}, new float[0]));
    return Stream.of(
        new TensorFrame(JOB, TensorKey.gradient(2, 5, 3), 1, 4, List.of(2, 3),
            ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})),
        new TensorFrame(JOB, TensorKey.parameter(7, 2), 0, 1, List.of(), ByteString.EMPTY),
        new LoadProgram(JOB, StageProgram.parse("1: 1RECV_F0 1F0 1SEND_F0 1RECV_B0 1BW0 1SEND_B0 1LOSS0.5 1STEP"),
            12, List.of(0, 1, 1, 0), 65536, List.of(STAGE.ref(), STAGE.ref()), COORD.ref(), OptimizerOptions.none(),
            MODEL),
        new RunIteration(JOB, 41),
        new FetchParameters(JOB),
        new StopStage(JOB),
        new ProgramLoaded(JOB, 2),
        new ProgramLoaded(JOB, 1, java.util.Optional.of(new io.zbpp.protocol.msg.DataEndpoint("w-1/stage-1",
            "127.0.0.1:40123"))),
        new io.zbpp.protocol.msg.DataPeers(JOB, List.of(new io.zbpp.protocol.msg.DataEndpoint("a", "h:1"),
            new io.zbpp.protocol.msg.DataEndpoint("b", "[::1]:2"))),
        new IterationReport(JOB, 3, 41, List.of(pass, pass), List.of(new LossRecord(0, 2.5),
            new LossRecord(1, Double.NaN)), 1L << 40),
        new IterationReport(JOB, 3, 42, List.of(pass), List.of(), 7, 41, 2, true),
        new ShardDigest(JOB, 1, java.util.Map.of(2, "ab".repeat(64), 3, ""), OptimizerStats.none()),
        new StageFailed(JOB, 1, "F(3, 2) threw: boom", StageProgram.parse("1: 1F0 1B0").listing(1)),
        new SnapshotStage(JOB, KIT.<StageSnapshot>createTestProbe().ref()),
        new StageSnapshot(JOB, 2, List.of(chunk)),
        new RestoreStage(JOB, List.of(chunk), KIT.<StageRestored>createTestProbe().ref()),
        new StageRestored(JOB, 2),
        new io.zbpp.protocol.msg.TakeCheckpoint(JOB, 10, "/data/ckpt", "corrupt-checkpoint"),
        new io.zbpp.protocol.msg.ShardWritten(JOB, 2, 10, "stage-2.bin", "ab".repeat(32), 1L << 33, List.of(2, 5),
            0.25, 0.0625, ""),
        new io.zbpp.protocol.msg.ShardWritten(JOB, 1, 10, "", "", 0, List.of(), 0, 0, "disk full"),
        new io.zbpp.protocol.msg.RestoreCheckpoint(JOB, "/data/ckpt", 10, "stage-1.bin", "cd".repeat(32), 4096),
        new JobFinished(JOB, 0.25, List.of(), "ab".repeat(32), "0: F0 BW0\n", OptimizerStats.none(), List.of(),
            new io.zbpp.protocol.msg.CheckpointStats(3, 1, 1L << 35, 1.5, 5, 0.125)),
        new JobStarted(JOB, "zb-2p", "0: F0 BW0\n", 0.125, List.of("local/stage-0", "worker@h:2552/device-1")),
        new JobRejected(JOB, "stages [0]: must be at least 1"),
        new CommandRejected(new JobEpoch("job-7", 2), 0, "stale epoch 2 < 3"),
        new SubmitJob(spec, CLIENT.ref()),
        new SubmitJob(spec, CLIENT.ref(), java.util.Optional.of(PROGRESS.ref())),
        new JobProgress(JOB, 5, new IterationResult(3, 1.5, 20, 0.1, List.of(trace))),
        new JobProgress(JOB, 5, new IterationResult(4, 1.5, 20, 0.1, List.of(trace), 3, true)),
        new io.zbpp.protocol.msg.CheckpointProgress(JOB, 10, "ckpt-000010", "/data/ckpt/ckpt-000010", 1L << 33),
        new io.zbpp.protocol.msg.JobRecovered(JOB, 4, "stage 1 lost: its actor stopped"),
        new JobFinished(JOB, 0.2431, List.of(new IterationResult(0, 5.25, 1_000_000L, 0.25, List.of(trace))),
            "ab".repeat(32), "0: F0 BW0\n", OptimizerStats.none()),
        new JobFailed(JOB, "--stages [9]: more than the 8 layers"),
        new OptimizerState(JOB, 6, 2, false, java.util.Map.of(0, 1.25, 1, Double.NaN, 3, Double.POSITIVE_INFINITY)),
        new OptimizerState(JOB, 6, 3, true, java.util.Map.of(0, 0.5)),
        new LoadProgram(JOB, StageProgram.parse("0: 0F0 0RECV_FULL 0VALIDATE 0VALIDATE.3 0BW0 0NORM 0NORM.3 "
            + "0SEND_PARTIAL 0STEP 0STEP.3"), 1, List.of(0, 1, 1, 0), 4096, List.of(STAGE.ref(), STAGE.ref()),
            COORD.ref(), new OptimizerOptions(OptimizerOptions.Check.POST_VALIDATION, 1.5,
                OptimizerOptions.Rollback.IN_PLACE, 3, 1), ModelSpec.none()),
        new SubmitJob(new ResolvedJob("j", "zb-2p", "", 4, 8, 1, 5, List.of(), List.of(), List.of(), 0,
            new ModelShape(0, 0, 0, 0, 1), 0, 0, 4096, new OptimizerOptions(OptimizerOptions.Check.SYNC, 0.5,
                OptimizerOptions.Rollback.EXACT, -1, -1), List.of(), List.of(), List.of(), ModelSpec.none()),
            CLIENT.ref()),
        new SubmitJob(new ResolvedJob("j", "zb-auto", "", 4, 8, 1, 2, List.of(1.0), List.of(1.0), List.of(1.0), 0,
            new ModelShape(8, 32, 4, 16, 1), 2, 0, 4096, OptimizerOptions.none(), List.of(1.0, 2.0, 3.0, 4.5),
            List.of(0.0), List.of(-1.0, -2.0, -3.0, -4.5), ModelSpec.none()), CLIENT.ref()),
        new ShardDigest(JOB, 1, java.util.Map.of(0, "cd".repeat(32)), new OptimizerStats(2, 1, 1, 4096, "exact")),
        new JobFinished(JOB, 0.1, List.of(), "cd".repeat(32), "", new OptimizerStats(3, 1, 0, 12, "in-place")),
        new JobFinished(JOB, 0.1, List.of(), "cd".repeat(32), "", OptimizerStats.none(), List.of(
            new io.zbpp.protocol.msg.Replan(12, 180.5, 170.25, "stage 3: F 1.50x B 1.50x W 1.50x"))),
        new io.zbpp.protocol.msg.SwapProgram(JOB, StageProgram.parse("1: 1RECV_F0 1F0 1SEND_F0 1STEP")),
        new io.zbpp.protocol.msg.ProgramSwapped(JOB, 3),
        new JobFinished(JOB, 0.1, List.of(), "cd".repeat(32), "", OptimizerStats.none(), List.of(),
            new io.zbpp.protocol.msg.RecoveryStats(2, 2, 5, 1.25, List.of("stage 1 stopped", "watchdog fired"))),
        new io.zbpp.protocol.msg.ProbeStage(JOB),
        new io.zbpp.protocol.msg.StageBlocked(JOB, 1, 4, StageProgram.parse("1: 1F0 1B0").listing(1, "blocked"), true),
        new LoadProgram(JOB, StageProgram.parse("0: 0F0 0BW0 0STEP"), 1, List.of(0), 4096, List.of(STAGE.ref()),
            COORD.ref(), OptimizerOptions.none(), ModelSpec.none(),
            io.zbpp.faults.Injection.parseAll(List.of("kill-stage:0@2.1", "slow-stage:0@1x2.5"))));
  }

  @ParameterizedTest
  @MethodSource("everyMessage")
  void everyWireMessageRoundTripsThroughTheBoundProtobufSerializer(WireMessage msg) {
    Serialization ser = SerializationExtension.get(Adapter.toClassic(KIT.system()));
    byte[] bytes = ser.serialize(msg).get();
    int id = ser.findSerializerFor(msg).identifier();

    assertThat(id).isEqualTo(ZbppSerializer.IDENTIFIER);
    assertThat(ser.deserialize(bytes, id, Serializers.manifestFor(ser.findSerializerFor(msg), msg)).get())
        .isEqualTo(msg);
  }

  @Test
  void theSamplesCoverEveryManifestTheCodecReads() {
    WireCodec codec = new WireCodec(null);
    assertThat(everyMessage().map(WireCodec::manifest).collect(Collectors.toSet()))
        .isEqualTo(codec.manifests());
  }

  @Test
  void programOpsMatchTheProtoEnumByName() {
    for (ProgramOp op : ProgramOp.values()) {
      assertThat(Wire.ProgramOp.forNumber(op.ordinal()).name()).isEqualTo("OP_" + op.name());
    }
    assertThat(Wire.ProgramOp.values()).hasSize(ProgramOp.values().length + 1); // + UNRECOGNIZED
  }
}
