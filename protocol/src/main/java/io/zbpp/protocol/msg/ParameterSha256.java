package io.zbpp.protocol.msg;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The parameter digest {@code paramsSha256} (docs/runtime.md "Parameter digest"): SHA-256 over the
 * concatenation of every parameter tensor's own SHA-256 (of its float32 little-endian bytes), tensors in model
 * order. Each stage hashes the tensors it holds ({@link #tensors}); the coordinator concatenates the stages'
 * shards in chunk order and hashes once ({@link #combine}); a single-device run computes the same from all
 * tensors ({@link #of}). It does not depend on the partition into chunks, so a pipeline run and the reference
 * trainer give the same digest exactly when their parameters are equal bit for bit. gpu-ops'
 * {@code ReferenceTrainer.sha256} is the same function (that module does not see this one).
 */
public final class ParameterSha256 {
  private ParameterSha256() {}

  /** The hex of each tensor's SHA-256, concatenated in order (64 hex digits per tensor). */
  public static String tensors(List<float[]> tensors) {
    StringBuilder sb = new StringBuilder();
    for (float[] t : tensors) {
      MessageDigest md = sha();
      md.update(TensorFrames.toBytes(t, 0, t.length).asReadOnlyByteBuffer());
      sb.append(HexFormat.of().formatHex(md.digest()));
    }
    return sb.toString();
  }

  /** The digest of shards given as {@link #tensors} hex, in model order. */
  public static String combine(Iterable<String> shardsInModelOrder) {
    MessageDigest md = sha();
    shardsInModelOrder.forEach(h -> md.update(HexFormat.of().parseHex(h)));
    return HexFormat.of().formatHex(md.digest());
  }

  /** The digest of all tensors, chunk by chunk in model order. */
  public static String of(Iterable<? extends List<float[]>> chunksInModelOrder) {
    MessageDigest md = sha();
    chunksInModelOrder.forEach(c -> md.update(HexFormat.of().parseHex(tensors(c))));
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest sha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
