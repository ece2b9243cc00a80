package io.zbpp.dataplane;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link NettyDataPlane} connects.
 *
 * @param tlsDir     a directory with {@code tls.key}, {@code tls.crt} and {@code ca.crt} (PEM; the layout of a
 *                   Kubernetes TLS secret): every link then runs TLS with mutual authentication against that CA.
 *                   Empty: plain TCP, which {@link NettyDataPlane} allows only on loopback unless {@code insecure}.
 * @param insecure   allow plain TCP on addresses other than loopback
 * @param credits    receive buffers per link: how many tensors a sender may have in flight before the receiver
 *                   releases one (at least 1)
 * @param connectTimeout how long {@link DataPlane#connect} waits for the peer to accept the link
 * @param retransmitTimeout how long a sent tensor frame may stay unacknowledged before it is sent again (a frame
 *                   lost without a later frame to reveal the gap)
 */
public record DataPlaneConfig(Optional<Path> tlsDir, boolean insecure, int credits, Duration connectTimeout,
    Duration retransmitTimeout) {
  public static final int DEFAULT_CREDITS = 4;
  public static final Duration DEFAULT_RETRANSMIT_TIMEOUT = Duration.ofSeconds(1);

  public DataPlaneConfig {
    Objects.requireNonNull(tlsDir, "tlsDir");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(retransmitTimeout, "retransmitTimeout");
    if (credits < 1) {
      throw new IllegalArgumentException("credits [" + credits + "]: must be at least 1");
    }
    if (retransmitTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("retransmit timeout [" + retransmitTimeout + "]: must be at least 1 ms");
    }
  }

  /** Plain TCP, loopback only, {@value #DEFAULT_CREDITS} credits, 10 s to connect, 1 s to retransmit. */
  public static DataPlaneConfig plain() {
    return new DataPlaneConfig(Optional.empty(), false, DEFAULT_CREDITS, Duration.ofSeconds(10),
        DEFAULT_RETRANSMIT_TIMEOUT);
  }

  public DataPlaneConfig withTls(Path dir) {
    return new DataPlaneConfig(Optional.of(dir), insecure, credits, connectTimeout, retransmitTimeout);
  }

  public DataPlaneConfig withInsecure(boolean allow) {
    return new DataPlaneConfig(tlsDir, allow, credits, connectTimeout, retransmitTimeout);
  }

  public DataPlaneConfig withCredits(int n) {
    return new DataPlaneConfig(tlsDir, insecure, n, connectTimeout, retransmitTimeout);
  }

  public DataPlaneConfig withRetransmitTimeout(Duration t) {
    return new DataPlaneConfig(tlsDir, insecure, credits, connectTimeout, t);
  }
}
