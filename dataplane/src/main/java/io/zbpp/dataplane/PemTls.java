package io.zbpp.dataplane;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * TLS contexts from a directory in the layout of a Kubernetes TLS secret (and of Pekko's rotating-keys
 * engine): {@code tls.key} (PKCS#8 PEM private key), {@code tls.crt} (PEM certificate chain) and {@code ca.crt}
 * (the PEM CA that signs every node). Both sides present their certificate and accept only peers whose
 * certificate that CA signed (mutual authentication). Host names are not checked: membership is "holds a
 * certificate of the cluster's CA", as for the cluster's Artery.
 */
final class PemTls {
  static final String KEY = "tls.key";
  static final String CERT = "tls.crt";
  static final String CA = "ca.crt";

  final SslContext server;
  final SslContext client;

  private PemTls(SslContext server, SslContext client) {
    this.server = server;
    this.client = client;
  }

  static PemTls load(Path dir) {
    for (String name : new String[] {KEY, CERT, CA}) {
      if (!Files.isReadable(dir.resolve(name))) {
        throw new DataPlaneException("TLS directory " + dir + ": no readable " + name + " (expected " + KEY + ", "
            + CERT + ", " + CA + ")");
      }
    }
    try {
      SslContext server = SslContextBuilder.forServer(dir.resolve(CERT).toFile(), dir.resolve(KEY).toFile())
          .trustManager(dir.resolve(CA).toFile()).clientAuth(ClientAuth.REQUIRE).build();
      SslContext client = SslContextBuilder.forClient()
          .keyManager(dir.resolve(CERT).toFile(), dir.resolve(KEY).toFile())
          .trustManager(dir.resolve(CA).toFile()).build();
      return new PemTls(server, client);
    } catch (SSLException | IllegalArgumentException e) {
      throw new DataPlaneException("TLS directory " + dir + ": " + e.getMessage(), e);
    }
  }
}
