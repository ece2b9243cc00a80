package io.zbpp.transport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The Artery settings of both sides of {@code zbpp bench transport}: TCP on 127.0.0.1, a free port, the
 * large-message channel for {@link #LARGE} sized for the biggest message, and the read buffer that keeps
 * Artery from crawling on big payloads ({@code pekko.io.tcp.direct-buffer-size}).
 */
final class Artery {
  /** The ordinary channel's sink: tensors in 192 KiB frames, as the runtime sends them between actors. */
  static final String CHUNKED = "chunked";
  /** The large-message channel's sink: each tensor in one message. */
  static final String LARGE = "large";

  private Artery() {}

  static Config config(long maxBytes) {
    long frame = maxBytes + (1 << 20);
    return ConfigFactory.parseString(String.join("\n",
        "pekko.actor.provider = remote",
        "pekko.loglevel = ERROR",
        "pekko.stdout-loglevel = ERROR",
        "pekko.log-dead-letters = off",
        "pekko.remote.warn-about-direct-use = off",
        "pekko.remote.warn-unsafe-watch-outside-cluster = off",
        "pekko.remote.artery.transport = tcp",
        "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"",
        "pekko.remote.artery.canonical.port = 0",
        "pekko.remote.artery.large-message-destinations = [\"/user/" + LARGE + "\"]",
        "pekko.remote.artery.advanced.maximum-large-frame-size = " + frame,
        "pekko.remote.artery.advanced.large-buffer-pool-size = 4",
        "pekko.io.tcp.direct-buffer-size = 1MiB",
        "pekko.coordinated-shutdown.exit-jvm = off",
        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off"))
        .withFallback(ConfigFactory.load());
  }
}
