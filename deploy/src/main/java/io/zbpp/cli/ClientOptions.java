package io.zbpp.cli;

import io.zbpp.client.ZbppClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options every job API client command takes: where the server is, the token, TLS trust. */
final class ClientOptions {
  @Option(names = "--server", paramLabel = "HOST:PORT",
      description = "The coordinator's job API (default: $ZBPP_SERVER or 127.0.0.1:7070).")
  String server;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "A token file (name:token lines; the first line's token is used); default: $ZBPP_TOKEN.")
  Path tokenFile;

  @Option(names = "--ca", paramLabel = "FILE",
      description = "Connect over TLS, trusting this CA certificate (PEM, the cluster's ca.crt); without it "
          + "plain TCP.")
  Path ca;

  ZbppClient connect() {
    String target = target();
    ZbppClient.Options o = ZbppClient.options().token(token());
    if (ca != null) {
      checkCa(ca);
      o.trust(ca);
    }
    return ZbppClient.connect(target, o);
  }

  /** The server's {@code host:port}, checked before any connection: a port from 1 to 65535, a known host. */
  String target() {
    String option = server != null ? "--server" : "ZBPP_SERVER";
    String target = server != null ? server
        : Optional.ofNullable(System.getenv("ZBPP_SERVER")).orElse("127.0.0.1:7070");
    String accepted = "; expected HOST:PORT with a port from 1 to 65535, e.g. 127.0.0.1:7070";
    int colon = target.lastIndexOf(':');
    String host = colon < 0 ? "" : target.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty()) {
      throw new UsageException(option + " [" + target + "]: no host" + (colon < 0 ? " and no port" : "")
          + accepted);
    }
    int port;
    try {
      port = Integer.parseInt(target.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new UsageException(option + " [" + target + "]: no port" + accepted);
    }
    if (port < 1 || port > 65535) {
      throw new UsageException(option + " [" + target + "]: port " + port + " out of range" + accepted);
    }
    try {
      InetAddress.getByName(host);
    } catch (UnknownHostException | IllegalArgumentException e) {
      throw new UsageException(option + " [" + target + "]: unknown host [" + host + "]" + accepted);
    }
    return target;
  }

  /** The CA file must be a readable PEM certificate: the TLS library would otherwise fail with a stack trace. */
  static void checkCa(Path ca) {
    String accepted = "; expected the CA certificate (PEM, the cluster's ca.crt)";
    if (Files.isDirectory(ca)) {
      throw new UsageException("--ca [" + ca + "]: is a directory" + accepted);
    }
    if (!Files.isReadable(ca)) {
      throw new UsageException("--ca [" + ca + "]: no such readable file" + accepted);
    }
    try (InputStream in = Files.newInputStream(ca)) {
      if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        throw new UsageException("--ca [" + ca + "]: no certificate in it" + accepted);
      }
    } catch (IOException | CertificateException e) {
      throw new UsageException("--ca [" + ca + "]: not a PEM certificate" + accepted);
    }
  }

  private String token() {
    if (tokenFile == null) {
      String env = System.getenv("ZBPP_TOKEN");
      return env == null ? "" : env.strip();
    }
    checkTokenFile(tokenFile);
    try {
      for (String line : Files.readAllLines(tokenFile)) {
        String l = line.strip();
        if (!l.isEmpty() && !l.startsWith("#")) {
          int colon = l.indexOf(':');
          return colon < 0 ? l : l.substring(colon + 1);
        }
      }
    } catch (IOException e) {
      throw new UsageException("--token-file [" + tokenFile + "]: cannot read: " + e.getMessage());
    }
    throw new UsageException("--token-file [" + tokenFile + "]: no token in it; expected a name:token line");
  }

  /** A token file must exist and be a file: "cannot read: PATH" alone would not say which. */
  static void checkTokenFile(Path file) {
    if (Files.isDirectory(file)) {
      throw new UsageException("--token-file [" + file + "]: is a directory; expected a file of name:token lines");
    }
    if (!Files.exists(file)) {
      throw new UsageException("--token-file [" + file + "]: no such file; expected a file of name:token lines");
    }
  }
}
