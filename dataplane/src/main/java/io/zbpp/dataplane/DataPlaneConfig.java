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
 */
public record DataPlaneConfig(Optional<Path> tlsDir, boolean insecure, int credits, Duration connectTimeout) {
  public static final int DEFAULT_CREDITS = 4;

  public DataPlaneConfig {
    Objects.requireNonNull(tlsDir, "tlsDir");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (credits < 1) {
      throw new IllegalArgumentException("credits [" + credits + "]: must be at least 1");
    }
  }

  /** Plain TCP, loopback only, {@value #DEFAULT_CREDITS} credits, 10 s to connect. */
  public static DataPlaneConfig plain() {
    return new DataPlaneConfig(Optional.empty(), false, DEFAULT_CREDITS, Duration.ofSeconds(10));
  }

  public DataPlaneConfig withTls(Path dir) {
    return new DataPlaneConfig(Optional.of(dir), insecure, credits, connectTimeout);
  }

  public DataPlaneConfig withInsecure(boolean allow) {
    return new DataPlaneConfig(tlsDir, allow, credits, connectTimeout);
  }

  public DataPlaneConfig withCredits(int n) {
    return new DataPlaneConfig(tlsDir, insecure, n, connectTimeout);
  }
}
