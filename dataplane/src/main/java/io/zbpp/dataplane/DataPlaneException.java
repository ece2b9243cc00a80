package io.zbpp.dataplane;

/** A data plane failure: a peer that cannot be reached or refused us, a lost link, a malformed frame. */
public final class DataPlaneException extends RuntimeException {
  public DataPlaneException(String message) {
    super(message);
  }

  public DataPlaneException(String message, Throwable cause) {
    super(message, cause);
  }
}
