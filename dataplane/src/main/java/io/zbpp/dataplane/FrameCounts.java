package io.zbpp.dataplane;

/**
 * What a data plane's integrity checks found, since it was created ({@link DataPlane#frameCounts()}).
 *
 * @param injected    frame faults this plane injected into what it sent ({@link DataPlane#frameFaults})
 * @param corrupted   tensor frames that arrived with a wrong CRC32C and were refused (then asked for again)
 * @param missing     tensor frames found missing: a gap in the sequence numbers at the receiver, or no
 *                    acknowledgement within the retransmit timeout at the sender
 * @param duplicates  tensor frames received again (a sequence number or a tensor key already delivered) and
 *                    dropped
 * @param retransmits tensor frames this plane sent again
 */
public record FrameCounts(long injected, long corrupted, long missing, long duplicates, long retransmits) {
  public static final FrameCounts ZERO = new FrameCounts(0, 0, 0, 0, 0);

  public FrameCounts plus(FrameCounts o) {
    return new FrameCounts(injected + o.injected, corrupted + o.corrupted, missing + o.missing,
        duplicates + o.duplicates, retransmits + o.retransmits);
  }

  /** Frames found corrupt, missing or duplicated. */
  public long detected() {
    return corrupted + missing + duplicates;
  }
}
