package io.zbpp.runtime;

import io.zbpp.protocol.msg.TensorAssembler;
import io.zbpp.protocol.msg.TensorFrame;
import io.zbpp.protocol.msg.TensorFrames;
import io.zbpp.protocol.msg.TensorKey;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects every stage's parameters (frames of kind PARAMETER) and hashes them in model order: SHA-256 over
 * the float32 little-endian bytes of chunk 0's parameters in order, then chunk 1's, and so on — the
 * {@code paramsSha256} of {@code zbpp train} that the reference trainer computes the same way.
 */
public final class ParameterDigest {
  private final TensorAssembler assembler = new TensorAssembler();
  private final TreeMap<Integer, TreeMap<Integer, float[]>> byChunk = new TreeMap<>();
  private final Map<Integer, Integer> framesSent = new TreeMap<>();
  private final Map<Integer, Integer> framesSeen = new TreeMap<>();
  private final int stages;

  public ParameterDigest(int stages) {
    this.stages = stages;
  }

  public void add(int fromStage, TensorFrame f) {
    framesSeen.merge(fromStage, 1, Integer::sum);
    assembler.add(f).ifPresent(t -> byChunk.computeIfAbsent(t.key().chunk(), c -> new TreeMap<>())
        .put(t.key().index(), t.data()));
  }

  /** A stage said it sent {@code frames} frames. */
  public void sent(int stage, int frames) {
    framesSent.put(stage, frames);
  }

  /** Whether every stage reported and every frame it announced arrived. */
  public boolean complete() {
    if (framesSent.size() != stages) {
      return false;
    }
    for (var e : framesSent.entrySet()) {
      if (framesSeen.getOrDefault(e.getKey(), 0) != e.getValue().intValue()) {
        return false;
      }
    }
    return assembler.pending() == 0;
  }

  /** The hex digest of all parameters in model order. */
  public String sha256() {
    MessageDigest md = sha();
    byChunk.values().forEach(c -> c.values().forEach(p -> md.update(TensorFrames.toBytes(p, 0, p.length)
        .asReadOnlyByteBuffer())));
    return HexFormat.of().formatHex(md.digest());
  }

  /** The same digest over parameters held locally (chunks in model order): what a reference run reports. */
  public static String sha256(Iterable<? extends Iterable<float[]>> chunksInOrder) {
    MessageDigest md = sha();
    chunksInOrder.forEach(c -> c.forEach(p -> md.update(TensorFrames.toBytes(p, 0, p.length)
        .asReadOnlyByteBuffer())));
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest sha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  static boolean isParameter(TensorKey key) {
    return key.kind() == io.zbpp.protocol.msg.TensorKind.PARAMETER;
  }
}
