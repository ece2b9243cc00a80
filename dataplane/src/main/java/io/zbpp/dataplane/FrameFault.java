package io.zbpp.dataplane;

import java.util.Locale;
import java.util.Objects;

/**
 * One injected fault on the data plane's sending side: what happens to the {@code index}-th tensor that stage
 * {@code stage} sends in iteration {@code iteration} (counted from 0 over all its links, in send order). The
 * fault fires once, on the frame's first transmission; what the receiver then detects and the sender resends
 * is the integrity protocol's business (docs/faults.md "Message integrity").
 *
 * @param factor the delay in milliseconds for {@link Kind#DELAY}; 1 for the other kinds
 */
public record FrameFault(Kind kind, int stage, int iteration, int index, long factor) {
  /** The frame fault kinds, named as {@code --inject} names them. */
  public enum Kind {
    /** The frame is not written; the receiver sees a gap (or the sender's timeout fires) and it is resent. */
    DROP,
    /** The frame is written twice; the receiver drops the second copy. */
    DUPLICATE,
    /** The frame is written {@code factor} ms late; later frames overtake it. */
    DELAY,
    /** The frame is written after the link's next frame (or alone after {@value #REORDER_WAIT_MILLIS} ms). */
    REORDER,
    /** Bytes of the frame are flipped after its CRC was computed; the receiver refuses it and asks again. */
    CORRUPT;

    /** How long a reordered frame waits for a frame to overtake it. */
    public static final long REORDER_WAIT_MILLIS = 50;

    /** The name in {@code --inject}: {@code drop-frame}, {@code duplicate-frame}, ... */
    public String flag() {
      return name().toLowerCase(Locale.ROOT) + "-frame";
    }

    /** The kind named {@code flag}, or empty. */
    public static java.util.Optional<Kind> parse(String flag) {
      for (Kind k : values()) {
        if (k.flag().equals(flag)) {
          return java.util.Optional.of(k);
        }
      }
      return java.util.Optional.empty();
    }
  }

  public FrameFault {
    Objects.requireNonNull(kind, "kind");
    if (stage < 0 || iteration < 0 || index < 0) {
      throw new IllegalArgumentException(kind.flag() + ":" + stage + "@" + iteration + "." + index
          + ": stage, iteration and index count from 0");
    }
    if (factor < 1 || kind != Kind.DELAY && factor != 1) {
      throw new IllegalArgumentException(kind.flag() + ":" + stage + "@" + iteration + "." + index + "x" + factor
          + ": " + (kind == Kind.DELAY ? "the delay is at least 1 ms" : "only delay-frame takes a factor"));
    }
  }

  /** A fault of {@code kind} without a factor. */
  public static FrameFault of(Kind kind, int stage, int iteration, int index) {
    return new FrameFault(kind, stage, iteration, index, kind == Kind.DELAY ? 100 : 1);
  }

  /** As {@code --inject} writes it: {@code delay-frame:1@2.3x200}. */
  @Override
  public String toString() {
    return kind.flag() + ":" + stage + "@" + iteration + "." + index + (kind == Kind.DELAY ? "x" + factor : "");
  }
}
