package io.zbpp.dataplane;

import java.util.Objects;

/**
 * Where a {@link DataPlane} accepts connections: what {@link DataPlane#bind} returns and {@link DataPlane#connect}
 * takes. It travels between stages inside control messages as its {@link #toString()} form {@code host:port}
 * ({@code [v6]:port} for IPv6 literals), which {@link #parse} reads back.
 */
public record DataAddress(String host, int port) {
  public DataAddress {
    Objects.requireNonNull(host, "host");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("data address: empty host");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("data address port [" + port + "]: expected 0 to 65535");
    }
  }

  /** Reads {@code host:port} or {@code [v6]:port}. */
  public static DataAddress parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("data address [" + text + "]: expected host:port");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      return new DataAddress(host, Integer.parseInt(text.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("data address [" + text + "]: port is not a number");
    }
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
