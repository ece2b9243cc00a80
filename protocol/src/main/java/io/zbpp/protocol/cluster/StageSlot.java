package io.zbpp.protocol.cluster;

/** Stage {@code stage} of a job on device {@code device} of a host. */
public record StageSlot(int stage, int device) {
  public StageSlot {
    if (stage < 0 || device < 0) {
      throw new IllegalArgumentException("stage slot [" + stage + ", " + device + "]: must be non-negative");
    }
  }
}
