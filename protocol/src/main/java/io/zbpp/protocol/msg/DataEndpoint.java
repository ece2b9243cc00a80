package io.zbpp.protocol.msg;

import java.util.Objects;

/**
 * Where one stage's tensor data plane accepts links: the plane's id (unique among the planes of a job) and the
 * {@code host:port} it is bound to. Plain strings, so that the protocol does not depend on the data plane.
 */
public record DataEndpoint(String plane, String address) {
  public DataEndpoint {
    Objects.requireNonNull(plane, "plane");
    Objects.requireNonNull(address, "address");
  }
}
