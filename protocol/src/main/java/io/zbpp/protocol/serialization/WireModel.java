package io.zbpp.protocol.serialization;

import com.google.protobuf.ByteString;
import io.zbpp.protocol.Wire;
import io.zbpp.protocol.msg.ChunkState;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.protocol.msg.ModelSpec;
import io.zbpp.protocol.msg.TensorFrames;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maps the model's values to and from protobuf: {@link ModelSpec}, {@link ChunkState} and the shard digests.
 * Pure functions.
 */
final class WireModel {
  private WireModel() {}

  static Wire.ModelShape shape(ModelShape m) {
    return Wire.ModelShape.newBuilder().setLayers(m.layers()).setHidden(m.hidden()).setHeads(m.heads())
        .setSequenceLength(m.sequenceLength()).setMicrobatchSize(m.microbatchSize()).build();
  }

  static ModelShape shape(Wire.ModelShape m) {
    return new ModelShape(m.getLayers(), m.getHidden(), m.getHeads(), m.getSequenceLength(), m.getMicrobatchSize());
  }

  static Wire.ModelSpec model(ModelSpec m) {
    ModelSpec.AdamW a = m.adamw();
    return Wire.ModelSpec.newBuilder().setPreset(m.preset()).setShape(shape(m.shape())).setVocab(m.vocab())
        .setSeed(m.seed()).setDataSeed(m.dataSeed()).addAllPartition(m.partition()).setBackend(m.backend())
        .setAdamw(Wire.AdamWHyper.newBuilder().setLr(a.lr()).setBeta1(a.beta1()).setBeta2(a.beta2())
            .setEps(a.eps()).setWeightDecay(a.weightDecay()))
        .addAllEmulatedF(m.emulatedF()).addAllEmulatedB(m.emulatedB()).addAllEmulatedW(m.emulatedW())
        .addAllEmulatedSlowdowns(m.emulatedSlowdowns().stream().map(d -> Wire.EmulatedSlowdown.newBuilder()
            .setStage(d.stage()).setFactor(d.factor()).setIteration(d.iteration()).build()).toList())
        .build();
  }

  /** An absent message reads as {@link ModelSpec#none()}. */
  static ModelSpec model(boolean present, Wire.ModelSpec m) {
    if (!present) {
      return ModelSpec.none();
    }
    Wire.AdamWHyper a = m.getAdamw();
    return new ModelSpec(m.getPreset(), shape(m.getShape()), m.getVocab(), m.getSeed(), m.getDataSeed(),
        m.getPartitionList(), m.getBackend(),
        new ModelSpec.AdamW(a.getLr(), a.getBeta1(), a.getBeta2(), a.getEps(), a.getWeightDecay()),
        m.getEmulatedFList(), m.getEmulatedBList(), m.getEmulatedWList(), m.getEmulatedSlowdownsList().stream()
            .map(d -> new ModelSpec.Slowdown(d.getStage(), d.getFactor(), d.getIteration())).toList());
  }

  static Wire.ChunkState chunk(ChunkState c) {
    return Wire.ChunkState.newBuilder().setChunk(c.chunk()).setSteps(c.steps())
        .addAllParameters(tensors(c.parameters())).addAllFirstMoments(tensors(c.firstMoments()))
        .addAllSecondMoments(tensors(c.secondMoments())).build();
  }

  static ChunkState chunk(Wire.ChunkState c) {
    return new ChunkState(c.getChunk(), c.getSteps(), arrays(c.getParametersList()),
        arrays(c.getFirstMomentsList()), arrays(c.getSecondMomentsList()));
  }

  private static List<Wire.TensorState> tensors(List<float[]> ts) {
    return ts.stream().map(t -> Wire.TensorState.newBuilder().addShape(t.length)
        .setData(TensorFrames.toBytes(t, 0, t.length)).build()).toList();
  }

  private static List<float[]> arrays(List<Wire.TensorState> ts) {
    return ts.stream().map(t -> floats(t.getData())).toList();
  }

  private static float[] floats(ByteString b) {
    float[] out = new float[b.size() / Float.BYTES];
    b.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  static Map<Integer, ByteString> digests(Map<Integer, String> hex) {
    Map<Integer, ByteString> out = new TreeMap<>();
    hex.forEach((c, h) -> out.put(c, ByteString.copyFrom(HexFormat.of().parseHex(h))));
    return out;
  }

  static Map<Integer, String> hexDigests(Map<Integer, ByteString> bytes) {
    Map<Integer, String> out = new TreeMap<>();
    bytes.forEach((c, b) -> out.put(c, HexFormat.of().formatHex(b.toByteArray())));
    return out;
  }
}
