package io.zbpp.dataplane;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA and node certificates (EC P-256), written in the Kubernetes TLS secret layout. */
public final class TestCerts {
  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  private final String name;
  private final KeyPair key;
  private final X509CertificateHolder cert;

  private TestCerts(String name, KeyPair key, X509CertificateHolder cert) {
    this.name = name;
    this.key = key;
    this.cert = cert;
  }

  public static TestCerts ca(String name) throws GeneralSecurityException, OperatorCreationException, IOException {
    KeyPair k = keyPair();
    JcaX509v3CertificateBuilder b = builder(new X500Name("CN=" + name), new X500Name("CN=" + name), k);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new TestCerts(name, k, b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate())));
  }

  /** Writes {@code tls.key}, {@code tls.crt} of a new node signed by this CA, and this CA as {@code ca.crt}. */
  public Path node(Path dir, String node) throws GeneralSecurityException, OperatorCreationException, IOException {
    KeyPair k = keyPair();
    JcaX509v3CertificateBuilder b = builder(new X500Name("CN=" + name), new X500Name("CN=" + node), k);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    X509CertificateHolder nodeCert = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("tls.key"), pem(new JcaPKCS8Generator(k.getPrivate(), null).generate()));
    Files.writeString(dir.resolve("tls.crt"), pem(nodeCert));
    Files.writeString(dir.resolve("ca.crt"), pem(cert));
    return dir;
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair k) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, k.getPublic());
  }

  private static String pem(Object o) throws IOException {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      w.writeObject(o);
    }
    return s.toString();
  }
}
